package podspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v2"
)

// The YAML is read into a small tree instead of straight into our structs
// so that the walker can report every problem with its path. Node types:
//
//	object (pairs sorted by key), []any, string, int64, uint64, float64,
//	bool, nil
//
// go.yaml.in/yaml/v2 is the parser sigs.k8s.io/yaml (and so kubectl) uses,
// so scalars resolve the same way (0644 is octal, yes/no are booleans) and
// merge keys (<<) work. Each document is decoded twice: into plain maps for
// the values (merges applied), and into yaml.MapSlice, which keeps duplicate
// keys, to report them: plain maps would silently keep the last one, and
// MapSlice silently drops merges, so neither alone is right. Before either,
// checkExpandedSize has measured the file with go.yaml.in/yaml/v3's node
// tree, where an alias stays a pointer, so that neither decode can be made
// to expand a few aliases into gigabytes.

type pair struct {
	key string
	val any
}

type object []pair

// yamlDoc is one document: its value tree and its duplicate-key paths.
type yamlDoc struct {
	tree       any
	duplicates []string
}

// splitDocuments parses every "---"-separated document. Empty documents
// have a nil tree so that the caller can skip them but keep numbering.
func splitDocuments(data []byte) ([]yamlDoc, error) {
	values := yaml.NewDecoder(bytes.NewReader(data))
	slices := yaml.NewDecoder(bytes.NewReader(data))
	var docs []yamlDoc
	for i := 1; ; i++ {
		var v any
		err := values.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var ms yaml.MapSlice
		_ = slices.Decode(&ms) // a non-mapping document is reported below
		if v == nil {
			docs = append(docs, yamlDoc{})
			continue
		}
		tree := fromYAML(v)
		if _, ok := tree.(object); !ok {
			return nil, fmt.Errorf("document %d: expected a mapping (an object with apiVersion and kind)", i)
		}
		docs = append(docs, yamlDoc{tree: tree, duplicates: duplicateKeys("", ms, nil)})
	}
}

// fromYAML converts a value decoded by yaml.v2 into the tree types above.
func fromYAML(v any) any {
	switch x := v.(type) {
	case map[any]any:
		obj := make(object, 0, len(x))
		for k, val := range x {
			obj = append(obj, pair{key: yamlKey(k), val: fromYAML(val)})
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

// duplicateKeys lists the paths of keys that appear twice in one mapping.
func duplicateKeys(path string, v any, out []string) []string {
	switch x := v.(type) {
	case yaml.MapSlice:
		seen := map[string]bool{}
		for _, it := range x {
			k := yamlKey(it.Key)
			p := fieldPath(path, k)
			if seen[k] {
				out = append(out, p)
			}
			seen[k] = true
			out = duplicateKeys(p, it.Value, out)
		}
	case []any:
		for i, e := range x {
			out = duplicateKeys(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	}
	return out
}

// yamlKey renders a non-string key the way sigs.k8s.io/yaml does when it
// converts YAML to JSON (e.g. `on:` becomes "true", `1:` becomes "1").
func yamlKey(k any) string {
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
