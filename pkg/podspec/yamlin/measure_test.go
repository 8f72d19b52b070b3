package yamlin

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// manifests are real ones: podspec's test manifests and the Kubernetes
// documentation's that the end-to-end tests run.
func manifests(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"../testdata/*.yaml", "../../../test/testdata/k8s-docs/*/*.yaml", "../../../test/testdata/k8s-docs/*/*/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = data
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d manifests found", len(out))
	}
	return out
}

// aliasBomb is a ConfigMap whose data repeats one scalar of size bytes
// through n aliases, followed by a pod.
func aliasBomb(size, n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  k0: &a ")
	b.WriteString(strings.Repeat("x", size))
	b.WriteString("\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  k%d: *a\n", i)
	}
	b.WriteString("---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox}]}\n")
	return []byte(b.String())
}

// TestExpandedSizeLimits: the limits are on the JSON a document expands to,
// so an aliased document just under 3 MiB passes this check, and many
// documents each under it fail together.
func TestExpandedSizeLimits(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string // "" for no size error
	}{
		{"under the limit", aliasBomb(1<<20, 1), ""},
		{"one byte over", docOfJSONSize(maxDocumentJSON + 1), "document 1: too large"},
		{"exactly the limit", docOfJSONSize(maxDocumentJSON), ""},
		{"many aliased documents", manyDocs(8, 256<<10, 10), "manifest: too large"},
		{"fewer aliased documents", manyDocs(5, 256<<10, 10), ""},
		{"a cycle", []byte("a: &x [1, *x]\n"), `document 1: anchor "x" value contains itself`},
		{"syntax", []byte("a: [\n"), "document 1: yaml:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkExpandedSize(tc.data)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// docOfJSONSize is a document {"k":["xx…",…]} of exactly n bytes as JSON,
// written with aliases.
func docOfJSONSize(n int) []byte {
	const quoted = 1002 // a 1000-byte string with its quotes
	body := n - len(`{"k":[]}`)
	count := body/(quoted+1) - 1 // items with their commas
	last := body - count*(quoted+1)
	var b strings.Builder
	fmt.Fprintf(&b, "k:\n- &s %s\n", strings.Repeat("x", quoted-2))
	for i := 1; i < count; i++ {
		b.WriteString("- *s\n")
	}
	fmt.Fprintf(&b, "- %s\n", strings.Repeat("y", last-2))
	return []byte(b.String())
}

// manyDocs is n documents, each one scalar of size bytes aliased k times.
func manyDocs(n, size, k int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "---\nk:\n- &s %s\n", strings.Repeat("x", size))
		for j := 0; j < k; j++ {
			b.WriteString("- *s\n")
		}
	}
	return []byte(b.String())
}

func mustNode(t *testing.T, doc string) *yaml3.Node {
	t.Helper()
	var n yaml3.Node
	if err := yaml3.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestMeasureMatchesJSON: the measured size is what sigs.k8s.io/yaml (as
// kubectl) makes of the document, give or take how numbers are written.
func TestMeasureMatchesJSON(t *testing.T) {
	docs := map[string][]byte{
		"exact":   docOfJSONSize(100000),
		"aliases": aliasBomb(1000, 50),
		"escapes": []byte("a: \"<\\u0001>\\n\\t\\\"\"\nb: [x, {c: ~, d: true}]\n"),
	}
	for name, data := range manifests(t) {
		docs[name] = data
	}
	for name, data := range docs {
		for i, doc := range docSeparator.Split(string(data), -1) {
			if strings.TrimSpace(doc) == "" || strings.Contains(doc, "<<") {
				continue
			}
			js, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			m := &measurer{memo: map[*yaml3.Node]int64{}, limit: 1 << 30}
			got, err := m.size(mustNode(t, doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := got - int64(len(js)); diff < 0 || diff > int64(len(js))/50 {
				t.Errorf("%s document %d: measured %d, JSON is %d bytes", name, i+1, got, len(js))
			}
		}
	}
}

func TestScalarJSONSize(t *testing.T) {
	cases := map[string]int64{
		`a: 12`:         2,
		`a: true`:       4,
		`a: ~`:          4,
		`a:`:            4,
		`a: "12"`:       4,
		`a: abc`:        5,
		`a: "a\"b"`:     6,
		`a: "<\u0001>"`: 20,
		"a: |\n  x\n":   5, // "x\n"
	}
	for doc, want := range cases {
		m := &measurer{limit: 1 << 30}
		got, err := m.size(mustNode(t, doc).Content[0].Content[1])
		if err != nil || got != want {
			t.Errorf("%q: size %d, %v; want %d", doc, got, err, want)
		}
	}
}
