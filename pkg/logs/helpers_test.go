package logs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// writeLog copies each stream's input through a Writer into a fresh file and
// returns its path.
func writeLog(t *testing.T, inputs ...[2]string) string {
	t.Helper()
	w, path := create(t, Options{})
	for _, in := range inputs {
		if err := w.Copy(in[0], strings.NewReader(in[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// create makes a Writer for instance 0 of container "c" in a fresh pod
// directory and returns it with its file's path.
func create(t *testing.T, opts Options) (*Writer, string) {
	t.Helper()
	podDir := filepath.Join(t.TempDir(), "pod")
	w, err := Create(podDir, "c", 0, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, Path(podDir, "c", 0)
}

// rawRecords returns the file's lines split into their four fields.
func rawRecords(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("file does not end in a newline: %q", data)
	}
	var recs [][]string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		fields := strings.SplitN(strings.TrimSuffix(line, "\n"), " ", 4)
		if len(fields) != 4 {
			t.Fatalf("record %q has %d fields", line, len(fields))
		}
		recs = append(recs, fields)
	}
	return recs
}

func readAll(t *testing.T, path string, opts ReadOptions) string {
	t.Helper()
	var out bytes.Buffer
	if err := Read(context.Background(), path, opts, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// syncBuffer lets a test read what a following Read has written so far.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
