package podspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	yaml3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// aliasBomb is a ConfigMap whose data repeats one scalar of size bytes
// through n aliases, followed by a pod: a file of size + ~10n bytes that
// expands to size*n.
func aliasBomb(size, n int) []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  k0: &a ")
	b.WriteString(strings.Repeat("x", size))
	b.WriteString("\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  k%d: *a\n", i)
	}
	b.WriteString("---\n")
	b.Write(podWith())
	return b.Bytes()
}

// TestAliasBombsFailFast: a file of a few MiB whose aliases expand to
// gigabytes is refused, naming the document, in well under a second and
// without allocating anything like its expansion.
func TestAliasBombsFailFast(t *testing.T) {
	cases := []struct {
		name      string
		data      []byte
		wantLabel string
	}{
		{"400 aliases of 1 MiB", aliasBomb(1<<20, 400), `document 1 (ConfigMap "bomb")`},
		{"4400 aliases of 1 MiB", aliasBomb(1<<20, 4400), `document 1 (ConfigMap "bomb")`},
		{"4 aliases of 1 MiB", aliasBomb(1<<20, 4), `document 1 (ConfigMap "bomb")`},
		{"nested laughs", laughs(10, 12), `document 1 (ConfigMap "lol")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, _, err := Parse(tc.data)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil || !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), tc.wantLabel+": too large") {
				t.Fatalf("got %v, want %s: too large", err, tc.wantLabel)
			}
			if took > 500*time.Millisecond {
				t.Errorf("took %v", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB for a %d KiB file", alloc>>20, len(tc.data)>>10)
			}
		})
	}
}

// laughs nests depth levels of width aliases each (billion laughs).
func laughs(width, depth int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nx:\n  l0: &l0 \"lol\"\n")
	for d := 1; d <= depth; d++ {
		fmt.Fprintf(&b, "  l%d: &l%d [", d, d)
		for i := 0; i < width; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*l%d", d-1)
		}
		b.WriteString("]\n")
	}
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
	for name, data := range validCases(t) {
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

func TestReadBounded(t *testing.T) {
	if _, err := Read(strings.NewReader(strings.Repeat("a", MaxManifestBytes))); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	start := time.Now()
	_, err := Read(endless{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "3145728") {
		t.Errorf("endless input: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("endless input took %v", took)
	}
}

// endless reads as zeros forever, like /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

var _ io.Reader = endless{}
