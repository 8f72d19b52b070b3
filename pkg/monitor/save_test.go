package monitor

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// TestSaveSkipsUnchanged: a record the file holds is not written again; a
// changed one is; and after a write that failed, the same record is
// written (the file does not hold it).
func TestSaveSkipsUnchanged(t *testing.T) {
	saved := roots
	t.Cleanup(func() { roots = saved })
	roots = state.Roots{Run: t.TempDir()}
	mon := &monitor{st: &state.Pod{Name: "p", Phase: state.PhasePending}}
	if err := os.MkdirAll(roots.PodRun("p"), 0o700); err != nil {
		t.Fatal(err)
	}
	inode := func() uint64 {
		var st unix.Stat_t
		if err := unix.Stat(roots.StateFile("p"), &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	mon.save()
	first := inode()
	mon.save()
	if inode() != first {
		t.Error("an unchanged record was written again")
	}
	mon.st.Phase = state.PhaseRunning
	mon.save()
	if inode() == first {
		t.Error("a changed record was not written")
	}
	if st, err := roots.Load("p"); err != nil || st.Phase != state.PhaseRunning {
		t.Errorf("file holds phase %v (%v), want Running", st, err)
	}
	// A write that fails: the directory is gone.
	if err := os.RemoveAll(roots.PodRun("p")); err != nil {
		t.Fatal(err)
	}
	mon.st.Phase = state.PhaseSucceeded
	mon.save()
	if err := os.MkdirAll(roots.PodRun("p"), 0o700); err != nil {
		t.Fatal(err)
	}
	mon.save()
	if st, err := roots.Load("p"); err != nil || st.Phase != state.PhaseSucceeded {
		t.Errorf("after a failed write, the same record was not written again: %v, %v", st, err)
	}
}

// TestBindingNeverAhead: the binding file never says what the record does
// not. A changing binding is gone while the record is written, so a write
// that fails there (or a monitor that dies there) leaves readers the
// record; once the record is written the file follows.
func TestBindingNeverAhead(t *testing.T) {
	saved := roots
	t.Cleanup(func() { roots = saved })
	roots = state.Roots{Run: t.TempDir()}
	if err := os.MkdirAll(roots.PodRun("p"), 0o700); err != nil {
		t.Fatal(err)
	}
	mon := &monitor{st: &state.Pod{Name: "p", Phase: state.PhaseRunning, Bound: true, Requests: map[string]int64{"pods": 1}}}
	mon.save()
	phase := func() state.Phase {
		t.Helper()
		b, err := roots.LoadBinding("p")
		if err != nil {
			t.Fatal(err)
		}
		return b.Phase
	}
	if _, err := os.Stat(roots.BindingFile("p")); err != nil || phase() != state.PhaseRunning {
		t.Fatalf("after the first save: binding file %v, phase %s; want the file, Running", err, phase())
	}
	mon.st.Phase = state.PhaseSucceeded
	// The record's write fails: what the monitor's death there leaves too.
	failed := errors.New("no room")
	if err := mon.writeBinding(func() error {
		if _, err := os.Stat(roots.BindingFile("p")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the old binding file is still there while the record is written: %v", err)
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("writeBinding = %v, want the save's error", err)
	}
	if got := phase(); got != state.PhaseRunning {
		t.Errorf("after a failed write readers see %s, want the record's Running", got)
	}
	mon.save()
	if got := phase(); got != state.PhaseSucceeded {
		t.Errorf("after the next save readers see %s, want Succeeded", got)
	}
	if _, err := os.Stat(roots.BindingFile("p")); err != nil {
		t.Errorf("no binding file after the save: %v", err)
	}
}
