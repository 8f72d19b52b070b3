package logs

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecordFormat(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		input  string
		want   []string // content of each record, all tagged F
	}{
		{"lines", Stdout, "hello\nworld\n", []string{"hello", "world"}},
		{"empty line kept", Stderr, "a\n\nb\n", []string{"a", "", "b"}},
		{"no trailing newline", Stdout, "abc", []string{"abc"}},
		{"spaces and carriage return kept", Stdout, " x  y \r\n", []string{" x  y \r"}},
		{"nothing", Stdout, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			recs := rawRecords(t, writeLog(t, [2]string{tt.stream, tt.input}))
			if len(recs) != len(tt.want) {
				t.Fatalf("got %d records %q, want %d", len(recs), recs, len(tt.want))
			}
			for i, r := range recs {
				ts, err := time.Parse(time.RFC3339Nano, r[0])
				if err != nil || ts.Before(before) || ts.After(time.Now()) {
					t.Errorf("record %d timestamp %q: %v", i, r[0], err)
				}
				if r[1] != tt.stream || r[2] != "F" || r[3] != tt.want[i] {
					t.Errorf("record %d = %q, want %s F %q", i, r, tt.stream, tt.want[i])
				}
			}
		})
	}
}

func TestLongLineSplit(t *testing.T) {
	tests := []struct {
		name  string
		input string
		tags  string // tag of each record in order
	}{
		{"just under the limit", strings.Repeat("a", MaxLineSize-1) + "\n", "F"},
		{"exactly the limit", strings.Repeat("b", MaxLineSize) + "\n", "PF"},
		{"one over", strings.Repeat("c", MaxLineSize+1) + "\n", "PF"},
		{"three and a bit", strings.Repeat("d", 3*MaxLineSize+5) + "\nshort\n", "PPPFF"},
		{"long without newline at EOF", strings.Repeat("e", MaxLineSize+7), "PF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeLog(t, [2]string{Stdout, tt.input})
			var tags strings.Builder
			for _, r := range rawRecords(t, path) {
				if len(r[3]) > MaxLineSize {
					t.Errorf("record content is %d bytes, over %d", len(r[3]), MaxLineSize)
				}
				tags.WriteString(r[2])
			}
			if tags.String() != tt.tags {
				t.Errorf("tags = %q, want %q", tags.String(), tt.tags)
			}
			want := tt.input
			if !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			if got := readAll(t, path, ReadOptions{Tail: -1}); got != want {
				t.Errorf("Read returned %d bytes, want the %d input bytes back", len(got), len(want))
			}
		})
	}
}

// Two copiers write at once; every record must hold one stream's bytes only.
func TestConcurrentCopiers(t *testing.T) {
	path := t.TempDir() + "/c/0.log"
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const lines = 300
	feed := func(mark byte) io.Reader {
		pr, pw := io.Pipe()
		go func() {
			for i := range lines {
				// Varying lengths, some over MaxLineSize, written in odd chunks.
				line := strings.Repeat(string(mark), 1+i*97%(2*MaxLineSize)) + "\n"
				for len(line) > 0 {
					n := min(len(line), 1000+i)
					pw.Write([]byte(line[:n]))
					line = line[n:]
				}
			}
			pw.Close()
		}()
		return pr
	}
	var wg sync.WaitGroup
	for stream, mark := range map[string]byte{Stdout: 'o', Stderr: 'e'} {
		wg.Go(func() {
			if err := w.Copy(stream, feed(mark)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	w.Close()

	full := map[string]int{}
	for _, r := range rawRecords(t, path) {
		mark := map[string]string{Stdout: "o", Stderr: "e"}[r[1]]
		if strings.Trim(r[3], mark) != "" {
			t.Fatalf("%s record holds foreign bytes: %.40q…", r[1], r[3])
		}
		if r[2] == "F" {
			full[r[1]]++
		}
	}
	if full[Stdout] != lines || full[Stderr] != lines {
		t.Errorf("full records = %v, want %d per stream", full, lines)
	}
}

func TestCopyRejectsUnknownStream(t *testing.T) {
	w, err := Create(t.TempDir() + "/0.log")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Copy("stdin", strings.NewReader("x\n")); err == nil {
		t.Fatal("Copy accepted stream stdin")
	}
}

// After a write failure Copy must still drain its input, or the container
// would block on a full pipe.
func TestCopyDrainsAfterWriteError(t *testing.T) {
	w, err := Create(t.TempDir() + "/0.log")
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := strings.NewReader(strings.Repeat("line\n", 10000))
	if err := w.Copy(Stdout, r); err == nil {
		t.Fatal("Copy to a closed writer returned nil")
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left unread", r.Len())
	}
}

func TestCreateAppendsAndSetsModes(t *testing.T) {
	path := t.TempDir() + "/pod/c/0.log"
	for i := range 2 {
		w, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Copy(Stdout, strings.NewReader(fmt.Sprintf("run %d\n", i))); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	if got := readAll(t, path, ReadOptions{Tail: -1}); got != "run 0\nrun 1\n" {
		t.Errorf("content = %q", got)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("file mode = %v, want 0640", st.Mode().Perm())
	}
}
