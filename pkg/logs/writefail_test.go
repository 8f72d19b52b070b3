package logs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// reports collects what a Writer reports.
type reports struct {
	mu   sync.Mutex
	errs []string
}

func (r *reports) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err.Error())
}

func (r *reports) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// A write that fails half way is cut back off the file, so the next record
// does not run into it; the loss is reported at once, and again when
// writing works again. The file size limit makes the kernel write part of
// a record and then fail.
func TestWriteFailureCutBack(t *testing.T) {
	var rep reports
	w, path := create(t, Options{Report: rep.add})
	defer w.Close()
	copyLines(t, w, 1, 10)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	tight := unix.Rlimit{Cur: uint64(st.Size()) + 10, Max: old.Max}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &tight); err != nil {
		t.Fatal(err)
	}
	werr := w.Copy(Stdout, strings.NewReader("this record does not fit\nnor this one\n"))
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(werr, unix.EFBIG) {
		t.Errorf("Copy = %v, want EFBIG", werr)
	}
	if got := rep.list(); len(got) != 1 || !strings.Contains(got[0], "file too large") {
		t.Errorf("reports after the failure: %q, want one", got)
	}
	if now, _ := os.Stat(path); now.Size() != st.Size() {
		t.Errorf("file is %d bytes after the failed writes, want it cut back to %d", now.Size(), st.Size())
	}

	copyLines(t, w, 11, 12)
	if got := rep.list(); len(got) != 2 || !strings.Contains(got[1], "after losing 2 records") {
		t.Errorf("reports after writing again: %q", got)
	}
	rawRecords(t, path) // every line a whole record
	if got := readAll(t, path, ReadOptions{Tail: -1}); got != numbered(1, 12) {
		t.Errorf("log = %q", got)
	}
}

// When the pod's log directory is removed under a running writer (a
// teardown that gave up waiting for it), rotation fails: the directory is
// not made again, the copy goes on, and failures are reported once per
// MaxSize of output, not once per record.
func TestRotateAfterDirRemoved(t *testing.T) {
	var rep reports
	w, path := create(t, Options{MaxSize: 1024, MaxFiles: 3, Report: rep.add})
	defer w.Close()
	copyLines(t, w, 1, 10)
	podDir := filepath.Dir(filepath.Dir(path))
	if err := os.RemoveAll(podDir); err != nil {
		t.Fatal(err)
	}
	input := numbered(11, 1000)
	r := strings.NewReader(input)
	if err := w.Copy(Stdout, r); err != nil {
		t.Errorf("Copy = %v: writing to the open file still works", err)
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left unread", r.Len())
	}
	if _, err := os.Lstat(podDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("pod log directory came back: %v", err)
	}
	got := rep.list()
	// The records went on into the open, unlinked file.
	if limit := int(w.size/1024) + 1; len(got) == 0 || len(got) > limit {
		t.Errorf("%d reports for %d records, want 1 to %d", len(got), strings.Count(input, "\n"), limit)
	}
	if len(got) > 0 && !strings.Contains(got[0], "rotate log") {
		t.Errorf("report %q", got[0])
	}
}
