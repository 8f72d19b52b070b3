package monitor

import (
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
