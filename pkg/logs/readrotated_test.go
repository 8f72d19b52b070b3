package logs

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tail counts lines across files, newest file first, including a line
// whose records were rotated apart.
func TestTailAcrossFiles(t *testing.T) {
	long := strings.Repeat("y", 2*MaxLineSize+9)
	input := numbered(1, 300) + long + "\n" + numbered(301, 400)
	w, path := create(t, Options{MaxSize: 20 << 10, MaxFiles: 1 << 20})
	if err := w.Copy(Stdout, strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := len(files(t, path)); n < 4 {
		t.Fatalf("only %d files", n)
	}
	all := strings.SplitAfter(input, "\n")
	all = all[:len(all)-1]
	for _, tail := range []int{-1, 0, 1, 5, 100, 101, 102, 200, 400, 401, 1000} {
		want := input
		if tail >= 0 {
			want = strings.Join(all[max(len(all)-tail, 0):], "")
		}
		if got := readAll(t, path, ReadOptions{Tail: tail}); got != want {
			t.Errorf("tail %d: got %d bytes, want %d", tail, len(got), len(want))
		}
	}
	// The long line carries the time of its first record, in an older
	// file than its last.
	got := readAll(t, path, ReadOptions{Tail: 101, Timestamps: true})
	stamp, rest, _ := strings.Cut(got, " ")
	if !strings.HasPrefix(rest, long+"\n") {
		t.Fatalf("tail 101 does not start with the long line: %.30q", got)
	}
	if want := firstRecordOf(t, path, "y"); stamp != want {
		t.Errorf("long line stamped %s, want its first record's %s", stamp, want)
	}
}

// firstRecordOf returns the timestamp of the first record whose content
// starts with prefix.
func firstRecordOf(t *testing.T, path, prefix string) string {
	t.Helper()
	for _, f := range files(t, path) {
		for _, r := range rawRecordsOf(t, f) {
			if strings.HasPrefix(r[3], prefix) {
				return r[0]
			}
		}
	}
	t.Fatalf("no record starts with %q", prefix)
	return ""
}

// When the oldest retained file begins in the middle of a line (its start
// was deleted), the piece shows as a line, as the kubelet shows it, and
// tails still count whole lines.
func TestTailFromPieceOfLine(t *testing.T) {
	// Each P record fills a file; the last shares one with the line's
	// empty F record, "end" goes to a file of its own, and 3 files keep
	// only the last two of the four P records.
	w, path := create(t, Options{MaxSize: MaxLineSize + 100, MaxFiles: 3})
	if err := w.Copy(Stdout, strings.NewReader(strings.Repeat("z", 4*MaxLineSize)+"\nend\n")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := len(files(t, path)); n != 3 {
		t.Fatalf("%d files, want 3", n)
	}
	piece := strings.Repeat("z", 2*MaxLineSize) + "\n"
	for tail, want := range map[int]string{-1: piece + "end\n", 1: "end\n", 2: piece + "end\n", 3: piece + "end\n"} {
		if got := readAll(t, path, ReadOptions{Tail: tail}); got != want {
			t.Errorf("tail %d = %d bytes %.20q…, want %d bytes", tail, len(got), got, len(want))
		}
	}
}

// Older rotated files are gzipped in the background, the newest stays
// plain, and Read reads through both.
func TestCompressedFiles(t *testing.T) {
	w, path := create(t, Options{MaxSize: 2048, MaxFiles: 5})
	defer w.Close()
	copyLines(t, w, 1, 1000)
	if n := waitCompressed(t, path); n != 4 {
		t.Fatalf("%d rotated files, want 4 beside the current one", n)
	}
	rotated, _ := listRotated(path)
	for i, r := range rotated {
		if want := i < len(rotated)-1; r.gz != want {
			t.Fatalf("%s: compressed %v, want %v", r.path, r.gz, want)
		}
	}
	// A real gzip file of whole CRI records.
	f, err := os.Open(rotated[0].path + gzSuffix)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil || len(data) == 0 || len(data) > 2048 {
		t.Fatalf("%d bytes, %v", len(data), err)
	}
	first := readRecords(t, string(data))

	got := readAll(t, path, ReadOptions{Tail: -1})
	if !strings.HasPrefix(got, first) || !strings.HasSuffix(got, "line-1000\n") {
		t.Errorf("Read does not run from the oldest gzipped file to the end")
	}
	n := strings.Count(got, "\n")
	if tail := readAll(t, path, ReadOptions{Tail: n - 1}); tail != got[strings.Index(got, "\n")+1:] {
		t.Errorf("tail %d into the gzipped files is wrong", n-1)
	}
	for _, e := range mustReadDir(t, filepath.Dir(path)) {
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
}

// waitCompressed waits until every rotated file of the log at path but the
// newest is gzipped, and returns how many rotated files there are.
func waitCompressed(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		rotated, err := listRotated(path)
		if err != nil {
			t.Fatal(err)
		}
		gz := 0
		for _, r := range rotated {
			if r.gz {
				gz++
			}
		}
		if len(rotated) > 1 && gz == len(rotated)-1 && !rotated[len(rotated)-1].gz {
			return len(rotated)
		}
		if time.Now().After(deadline) {
			t.Fatalf("rotated files never compressed: %v", rotated)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// A compression that finishes after pruning deleted its file must not
// bring the file back.
func TestCompressionAfterPrune(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "0.log.20240501-100000")
	tmp := src + gzSuffix + tmpSuffix
	touch(t, tmp)
	c := &compressor{dir: new(sync.Mutex)}
	if err := c.publish(src, tmp); err != nil {
		t.Fatal(err)
	}
	if entries := mustReadDir(t, dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}

// -p reads an instance whose current file is missing from its rotated
// files.
func TestPreviousOnlyRotated(t *testing.T) {
	dir := t.TempDir()
	touch(t, Path(dir, "app", 0)+".20240501-100000.gz")
	got, err := Previous(dir, "app", 1)
	if err != nil || got != Path(dir, "app", 0) {
		t.Fatalf("Previous = %q, %v", got, err)
	}
}

// Reads racing with rotations and compression see each line once, in
// order: the snapshot of current and rotated files fits together.
func TestReadWhileRotating(t *testing.T) {
	w, path := create(t, Options{MaxSize: 4096, MaxFiles: 1 << 20})
	defer w.Close()
	writing := writeBehind(t, w)
	// Deferred after w.Close, so run before it: a failing read must not
	// close the file under the writer, which would add write errors (and
	// a t.Error after the test has ended) to the real failure.
	defer func() { <-writing }()
	for reads := 0; ; reads++ {
		select {
		case <-writing:
			if reads < 10 {
				t.Logf("only %d reads raced with the writer", reads)
			}
			return
		default:
		}
		got := readAll(t, path, ReadOptions{Tail: -1})
		n := strings.Count(got, "\n")
		if got != numbered(1, n) {
			t.Fatalf("read %d: %d lines, not line-1 to line-%d in order", reads, n, n)
		}
		// Lines appended between counting and printing come on top.
		tail := readAll(t, path, ReadOptions{Tail: 50})
		var first int
		fmt.Sscanf(tail, "line-%d\n", &first)
		if n := strings.Count(tail, "\n"); n < 50 || tail != numbered(first, first+n-1) {
			t.Fatalf("read %d: tail 50 is not 50 or more lines in order: %d lines %.40q", reads, n, tail)
		}
	}
}

// Reads racing with pruning see an unbroken run of lines: files deleted
// while a read prints older ones are not left out of its middle.
func TestReadWhilePruning(t *testing.T) {
	w, path := create(t, Options{MaxSize: 4096, MaxFiles: 3})
	defer w.Close()
	writing := writeBehind(t, w)
	defer func() { <-writing }() // before w.Close, as above
	for reads := 0; ; reads++ {
		select {
		case <-writing:
			return
		default:
		}
		got := readAll(t, path, ReadOptions{Tail: -1})
		var first int
		fmt.Sscanf(got, "line-%d\n", &first)
		if n := strings.Count(got, "\n"); got != numbered(first, first+n-1) {
			t.Fatalf("read %d: %d lines from line-%d, not in order", reads, n, first)
		}
	}
}

// writeBehind writes lines 1 to 100 through w, then lines up to 20000 in
// the background, 100 to a Copy; the channel is closed when it is done.
func writeBehind(t *testing.T, w *Writer) <-chan struct{} {
	t.Helper()
	copyLines(t, w, 1, 100)
	writing := make(chan struct{})
	go func() {
		defer close(writing)
		for i := 1; i < 200; i++ {
			if err := w.Copy(Stdout, strings.NewReader(numbered(i*100+1, i*100+100))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	return writing
}
