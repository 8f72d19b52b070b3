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
