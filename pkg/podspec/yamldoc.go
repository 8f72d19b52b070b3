package podspec

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The YAML is read into a small tree instead of straight into our structs
// so that the walker can report every problem with its path. Node types:
//
//	object (pairs sorted by key), []any, string, int64, uint64, float64,
//	bool, nil
//
// Package yamlin decodes the YAML into plain Go values (see
// YAMLDocument); fromYAML turns them into the tree.

type pair struct {
	key string
	val any
}

type object []pair

// fromYAML converts a value decoded by yaml.v2 into the tree types above.
func fromYAML(v any) any {
	switch x := v.(type) {
	case map[any]any:
		obj := make(object, 0, len(x))
		for k, val := range x {
			obj = append(obj, pair{key: YAMLKey(k), val: fromYAML(val)})
		}
		slices.SortFunc(obj, func(a, b pair) int { return strings.Compare(a.key, b.key) })
		return obj
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromYAML(e)
		}
		return out
	case int:
		return int64(x)
	case int64:
		return x
	case uint64:
		// Only above MaxInt64: out of every range, kept exact for the
		// message that says so.
		return x
	case float64, string, bool, nil:
		return x
	}
	return fmt.Sprint(v)
}

// YAMLKey renders a non-string key the way sigs.k8s.io/yaml does when it
// converts YAML to JSON (e.g. `on:` becomes "true", `1:` becomes "1").
func YAMLKey(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(k)
}

// plain turns a tree into values encoding/json can marshal.
func plain(v any) any {
	switch x := v.(type) {
	case object:
		m := make(map[string]any, len(x))
		for _, p := range x {
			m[p.key] = plain(p.val)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil // JSON has no such numbers; the walker already reported them
		}
	}
	return v
}

// lookupString returns a top-level string field of a document, for apiVersion
// and kind, which are checked before the schema is chosen.
func lookupString(doc object, key string) string {
	for _, p := range doc {
		if p.key == key {
			s, _ := p.val.(string)
			return s
		}
	}
	return ""
}

// typeName describes a tree value in a wrong-type error.
func typeName(v any) string {
	switch v.(type) {
	case object:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case int64, uint64, float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
