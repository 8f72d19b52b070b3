package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestSecureRunMountsTmpfs: a run root on a disk gets a tmpfs of its own
// (0700), once; one holding pods from before is refused, never mounted
// over.
func TestSecureRunMountsTmpfs(t *testing.T) {
	testutil.RequiresRoot(t)
	disk, err := os.MkdirTemp("/var/tmp", "minipod-run-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(disk) })
	if inMemory(disk) {
		t.Skip("/var/tmp is a tmpfs here: nothing to mount") // not a root test's skip: the machine has no disk dir
	}
	r := Roots{Run: filepath.Join(disk, "run")}
	t.Cleanup(func() { unmountRun(t, r.Run) })
	for i := 0; i < 2; i++ {
		if err := r.SecureRun(); err != nil {
			t.Fatal(err)
		}
	}
	if !inMemory(r.Run) {
		t.Fatal("the run root is not on a tmpfs")
	}
	if fi, err := os.Stat(r.Run); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("run root mode %v (%v), want 0700", fi.Mode(), err)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if n := strings.Count(string(mi), " "+r.Run+" "); n != 1 {
		t.Errorf("%d mounts on %s, want 1", n, r.Run)
	}

	// network reset's release: not while a Secret is kept, then it goes.
	secret := filepath.Join(r.Run, ".objects", "secrets", "default", "s.json")
	if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.ReleaseRun(); err != nil || !inMemory(r.Run) {
		t.Fatalf("released a run root holding a Secret (%v)", err)
	}
	if err := os.Remove(secret); err != nil {
		t.Fatal(err)
	}
	if err := r.ReleaseRun(); err != nil || inMemory(r.Run) || r.ownRunMount() {
		t.Errorf("the run root's tmpfs is still mounted (%v)", err)
	}
	lock, err := r.Create("again")
	if err != nil || !inMemory(r.PodRun("again")) {
		t.Errorf("a pod made after the release is not in memory (%v)", err)
	}
	if lock != nil {
		lock.Close()
	}

	held := Roots{Run: filepath.Join(disk, "held")}
	if err := os.MkdirAll(filepath.Join(held.Run, "old-pod"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unmountRun(t, held.Run) })
	if err := held.SecureRun(); err == nil || !strings.Contains(err.Error(), "holds pods made before") {
		t.Errorf("SecureRun over a root with pods: %v", err)
	}
	if inMemory(held.Run) {
		t.Error("a tmpfs was mounted over pods")
	}
}
