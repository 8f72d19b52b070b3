package yamlin

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/minipod/minipod/pkg/podspec"
	yaml3 "go.yaml.in/yaml/v3"
)

// The API server refuses a request body over podspec.MaxManifestBytes;
// kubectl sends each document to it as JSON.
const (
	// maxDocumentJSON is the same limit on one document as JSON, that is,
	// with its YAML aliases expanded.
	maxDocumentJSON = podspec.MaxManifestBytes
	// maxManifestJSON bounds all documents together. Without aliases, JSON
	// is at most about 4.5 times its YAML ("{a,b}" is {"a":null,"b":null}),
	// so no file within MaxManifestBytes reaches 5 times that unless it
	// aliases; and aliases across many documents could otherwise make
	// hundreds of 3 MiB documents out of one file.
	maxManifestJSON = 5 * podspec.MaxManifestBytes
)

// checkExpandedSize refuses a file whose documents, once their YAML aliases
// are expanded, are larger as JSON than the API server would accept. It
// measures the node tree without expanding it: the size of an anchored node
// is computed once and reused at each alias, so a file of thousands of
// aliases to one large scalar costs what the file costs, not what its
// expansion would.
func checkExpandedSize(data []byte) error {
	dec := yaml3.NewDecoder(bytes.NewReader(data))
	var total int64
	for i := 1; ; i++ {
		var doc yaml3.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		m := &measurer{memo: map[*yaml3.Node]int64{}, limit: maxDocumentJSON}
		size, err := m.size(&doc)
		if err != nil {
			return fmt.Errorf("%s: %w", nodeLabel(&doc, i), err)
		}
		if size > maxDocumentJSON {
			return fmt.Errorf("%s: %w: more than %d bytes as JSON with its YAML aliases expanded (the API server's request limit)",
				nodeLabel(&doc, i), podspec.ErrTooLarge, maxDocumentJSON)
		}
		if total += size; total > maxManifestJSON {
			return fmt.Errorf("manifest: %w: its documents come to more than %d bytes as JSON with their YAML aliases expanded",
				podspec.ErrTooLarge, maxManifestJSON)
		}
	}
}

// measurer computes the JSON size of YAML nodes, stopping at limit+1: past
// the limit only "too large" matters, and the cap keeps nested aliases
// (each level multiplying the last) from overflowing.
type measurer struct {
	memo     map[*yaml3.Node]int64 // anchored nodes measured so far
	visiting map[*yaml3.Node]bool  // anchored nodes being measured (cycles)
	limit    int64
}

func (m *measurer) size(n *yaml3.Node) (int64, error) {
	switch n.Kind {
	case yaml3.AliasNode:
		return m.anchored(n.Alias)
	case yaml3.DocumentNode:
		if len(n.Content) == 0 {
			return 0, nil
		}
		return m.size(n.Content[0])
	case yaml3.ScalarNode:
		return scalarJSONSize(n), nil
	case yaml3.SequenceNode, yaml3.MappingNode:
		return m.collection(n)
	}
	return 4, nil // an empty document: null
}

// collection measures a sequence ["a","b"] or a mapping {"k":v,...}: two
// brackets, a comma or colon between children, then the children. A merged
// mapping (<<) counts in full even where later keys override it: an upper
// bound.
func (m *measurer) collection(n *yaml3.Node) (int64, error) {
	sum := int64(2)
	if len(n.Content) > 0 {
		sum += int64(len(n.Content) - 1)
	}
	for _, c := range n.Content {
		s, err := m.size(c)
		if err != nil {
			return 0, err
		}
		if sum += s; sum > m.limit {
			return m.limit + 1, nil
		}
	}
	return sum, nil
}

// anchored measures the target of an alias once. An alias inside its own
// anchor is a cycle, which no JSON can express.
func (m *measurer) anchored(n *yaml3.Node) (int64, error) {
	if n == nil {
		return 0, errors.New("alias to an unknown anchor")
	}
	if s, ok := m.memo[n]; ok {
		return s, nil
	}
	if m.visiting[n] {
		return 0, fmt.Errorf("anchor %q value contains itself", n.Anchor)
	}
	if m.visiting == nil {
		m.visiting = map[*yaml3.Node]bool{}
	}
	m.visiting[n] = true
	s, err := m.size(n)
	delete(m.visiting, n)
	if err != nil {
		return 0, err
	}
	m.memo[n] = s
	return s, nil
}

// scalarJSONSize is the length of a scalar in JSON: numbers, booleans and
// null as written (near enough: 0x10 is 16), anything else as a quoted,
// escaped string the way encoding/json escapes it.
func scalarJSONSize(n *yaml3.Node) int64 {
	if n.Style&(yaml3.DoubleQuotedStyle|yaml3.SingleQuotedStyle|yaml3.LiteralStyle|yaml3.FoldedStyle) == 0 {
		switch n.ShortTag() {
		case "!!null":
			return 4
		case "!!bool", "!!int", "!!float":
			return int64(len(n.Value))
		}
	}
	size := int64(2)
	for i := 0; i < len(n.Value); i++ {
		switch c := n.Value[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			size += 2
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			size += 6
		default:
			size++
		}
	}
	return size
}

// nodeLabel names a document in a size error: its kind and name when they
// are plain scalars, else its index.
func nodeLabel(doc *yaml3.Node, index int) string {
	kind, name := "", ""
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml3.MappingNode {
		top := doc.Content[0].Content
		for i := 0; i+1 < len(top); i += 2 {
			switch k, v := top[i].Value, top[i+1]; {
			case k == "kind" && v.Kind == yaml3.ScalarNode:
				kind = v.Value
			case k == "metadata" && v.Kind == yaml3.MappingNode:
				name = mappingScalar(v, "name")
			}
		}
	}
	label := fmt.Sprintf("document %d", index)
	if kind != "" && name != "" && len(kind)+len(name) < 300 {
		label += fmt.Sprintf(" (%s %q)", kind, name)
	}
	return label
}

func mappingScalar(m *yaml3.Node, key string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml3.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}
