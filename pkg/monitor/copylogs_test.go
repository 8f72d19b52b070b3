package monitor

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/logs"
)

// TestCopyLogsEndsAfterTheLastStream: the container's output is over only
// when both of its streams have ended, whichever ends first; then its
// stdin is closed, the copiers are done and the log holds both streams.
func TestCopyLogsEndsAfterTheLastStream(t *testing.T) {
	for _, first := range []string{logs.Stdout, logs.Stderr} {
		t.Run(first+" first", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pod")
			w, err := logs.Create(dir, "c", 0, logs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ends := map[string]*os.File{}
			var streams []stream
			for _, name := range []string{logs.Stdout, logs.Stderr} {
				r, pw := pipe(t)
				ends[name] = pw
				streams = append(streams, stream{name, r})
			}
			stdinR, stdinW := pipe(t)
			defer stdinR.Close()
			cio := &ctrIO{stdin: stdinW}
			var all sync.WaitGroup
			done := copyLogs(&all, w, cio, streams...)

			second := logs.Stderr
			if first == logs.Stderr {
				second = logs.Stdout
			}
			endStream(t, ends[first], first)
			select {
			case <-done:
				t.Fatalf("the output ended with %s still open", second)
			case <-time.After(100 * time.Millisecond):
			}
			endStream(t, ends[second], second)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the output did not end after both streams did")
			}
			all.Wait()
			if n, err := stdinR.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("the container's stdin after its output ended: read %d, %v; want EOF", n, err)
			}
			data, err := os.ReadFile(logs.Path(dir, "c", 0))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{logs.Stdout, logs.Stderr} {
				if !strings.Contains(string(data), " "+name+" F "+name+" line\n") {
					t.Errorf("the log lacks the %s line:\n%s", name, data)
				}
			}
		})
	}
}

func pipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

func endStream(t *testing.T, w *os.File, name string) {
	t.Helper()
	if _, err := w.WriteString(name + " line\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
}
