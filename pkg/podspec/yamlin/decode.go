// Package yamlin decodes manifests' YAML for package podspec, which links
// no YAML parser of its own: the pod's monitor uses podspec's types but
// never parses a manifest, and each parser costs every pod's monitor
// memory for its whole life (~130 kB together). Programs that read
// manifests import this package, which hands its decoder to
// podspec.Parse.
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
package yamlin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/minipod/minipod/pkg/podspec"
	yaml "go.yaml.in/yaml/v2"
)

func init() { podspec.UseYAML(Documents) }

// Documents measures data, then decodes every "---"-separated document.
// Empty documents have a nil value, so that the caller can skip them but
// keep numbering; a document that is not a mapping is an error.
func Documents(data []byte) ([]podspec.YAMLDocument, error) {
	if err := checkExpandedSize(data); err != nil {
		return nil, err
	}
	values := yaml.NewDecoder(bytes.NewReader(data))
	slices := yaml.NewDecoder(bytes.NewReader(data))
	var docs []podspec.YAMLDocument
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
			docs = append(docs, podspec.YAMLDocument{})
			continue
		}
		if _, ok := v.(map[any]any); !ok {
			return nil, fmt.Errorf("document %d: expected a mapping (an object with apiVersion and kind)", i)
		}
		docs = append(docs, podspec.YAMLDocument{Value: v, Duplicates: duplicateKeys("", ms, nil)})
	}
}

// duplicateKeys lists the paths of keys that appear twice in one mapping.
func duplicateKeys(path string, v any, out []string) []string {
	switch x := v.(type) {
	case yaml.MapSlice:
		seen := map[string]bool{}
		for _, it := range x {
			k := podspec.YAMLKey(it.Key)
			p := k
			if path != "" {
				p = path + "." + k
			}
			if seen[k] {
				out = append(out, p)
			}
			seen[k] = true
			out = duplicateKeys(p, it.Value, out)
		}
	case []any:
		for i, e := range x {
			out = duplicateKeys(path+"["+strconv.Itoa(i)+"]", e, out)
		}
	}
	return out
}
