package logs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	w, path := create(t, Options{})
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
	w, _ := create(t, Options{})
	defer w.Close()
	if err := w.Copy("stdin", strings.NewReader("x\n")); err == nil {
		t.Fatal("Copy accepted stream stdin")
	}
}

// After a write failure Copy must still drain its input, or the container
// would block on a full pipe.
func TestCopyDrainsAfterWriteError(t *testing.T) {
	w, _ := create(t, Options{})
	w.Close()
	r := strings.NewReader(strings.Repeat("line\n", 10000))
	if err := w.Copy(Stdout, r); err == nil {
		t.Fatal("Copy to a closed writer returned nil")
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left unread", r.Len())
	}
}

func TestCreateAppends(t *testing.T) {
	podDir := filepath.Join(t.TempDir(), "pod")
	for i := range 2 {
		w, err := Create(podDir, "c", 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Copy(Stdout, strings.NewReader(fmt.Sprintf("run %d\n", i))); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	if got := readAll(t, Path(podDir, "c", 0), ReadOptions{Tail: -1}); got != "run 0\nrun 1\n" {
		t.Errorf("content = %q", got)
	}
}

// Container output can hold secrets: only root may read it, also when the
// directories or the file were left open by someone else.
func TestCreateModes(t *testing.T) {
	for _, existing := range []bool{false, true} {
		root := filepath.Join(t.TempDir(), "pods")
		podDir := filepath.Join(root, "ns_pod_uid")
		path := Path(podDir, "c", 0)
		if existing {
			if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, nil, 0o666); err != nil {
				t.Fatal(err)
			}
			os.Chmod(podDir, 0o777)
			os.Chmod(filepath.Dir(path), 0o777)
			os.Chmod(path, 0o666)
		}
		w, err := Create(podDir, "c", 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		want := map[string]os.FileMode{
			podDir: os.ModeDir | 0o700, filepath.Dir(path): os.ModeDir | 0o700, path: 0o600,
		}
		if !existing {
			want[root] = os.ModeDir | 0o755 // the kubelet's /var/log/pods
		}
		for p, mode := range want {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode() & (os.ModeDir | os.ModePerm); got != mode {
				t.Errorf("existing=%v: %s has mode %v, want %v", existing, p, got, mode)
			}
		}
	}
}

func TestCreateRejectsBadLimits(t *testing.T) {
	for _, o := range []Options{{MaxSize: -1}, {MaxSize: 10, MaxFiles: 1}, {MaxSize: 10}} {
		if _, err := Create(t.TempDir(), "c", 0, o); err == nil {
			t.Errorf("Create accepted %+v", o)
		}
	}
}
