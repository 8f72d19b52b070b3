package podspec

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// basePod is the smallest valid pod; tests change it with setPath.
func basePod() map[string]any {
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   map[string]any{"name": "p"},
		"spec": map[string]any{
			"containers": []any{map[string]any{"name": "c", "image": "busybox"}},
		},
	}
}

// edit is one change to a manifest tree: set path to value.
type edit struct {
	path  string
	value any
}

var segmentRe = regexp.MustCompile(`^([^\[]+)((?:\[\d+\])*)$`)

// setPath sets a dotted path like spec.containers[0].env[1].name, creating
// maps and list entries on the way. A nil value deletes the key.
func setPath(root map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	var cur any = root
	for i, part := range parts {
		m := segmentRe.FindStringSubmatch(part)
		key, idxs := m[1], parseIndexes(m[2])
		obj := cur.(map[string]any)
		last := i == len(parts)-1
		if len(idxs) == 0 && last {
			if value == nil {
				delete(obj, key)
			} else {
				obj[key] = value
			}
			return
		}
		if len(idxs) == 0 {
			if _, ok := obj[key].(map[string]any); !ok {
				obj[key] = map[string]any{}
			}
			cur = obj[key]
			continue
		}
		cur = descendList(obj, key, idxs[0], last, value)
		if last {
			return
		}
	}
}

func parseIndexes(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '[' || r == ']' }) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// descendList grows obj[key] to hold index i and returns (or sets) it.
func descendList(obj map[string]any, key string, i int, last bool, value any) any {
	list, _ := obj[key].([]any)
	for len(list) <= i {
		list = append(list, map[string]any{})
	}
	obj[key] = list
	if last {
		list[i] = value
		return nil
	}
	if _, ok := list[i].(map[string]any); !ok {
		list[i] = map[string]any{}
	}
	return list[i]
}

// podWith renders basePod with edits as JSON, which is also valid YAML.
func podWith(edits ...edit) []byte {
	root := basePod()
	for _, e := range edits {
		setPath(root, e.path, e.value)
	}
	return mustJSON(root)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustParse(t *testing.T, data []byte) (*Manifest, []string) {
	t.Helper()
	m, warns, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v\ninput:\n%s", err, data)
	}
	return m, warns
}

func mustParsePod(t *testing.T, data []byte) *Pod {
	t.Helper()
	m, _ := mustParse(t, data)
	if len(m.Pods) != 1 {
		t.Fatalf("got %d pods, want 1", len(m.Pods))
	}
	return m.Pods[0]
}

func ptr[T any](v T) *T { return &v }
