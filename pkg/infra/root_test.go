package infra

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// TestPauseHasEmptyRoot: /proc/PID/root and cwd of pause (PID 1 of a pod
// that shares its PID namespace) lead to an empty read-only directory,
// never to the host's files.
func TestPauseHasEmptyRoot(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pid, life, err := Start(exe, "root-test", Options{SharePID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		life.Close()
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, 0, nil)
	}()
	for _, link := range []string{"root", "cwd"} {
		dir := filepath.Join("/proc", itoa(pid), link)
		ents, err := os.ReadDir(dir)
		if err != nil || len(ents) != 0 {
			t.Errorf("%s holds %d entries (%v), want an empty directory", dir, len(ents), err)
		}
		if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o600); err == nil {
			t.Errorf("wrote into %s", dir)
		}
	}
	if _, err := os.Stat(filepath.Join("/proc", itoa(pid), "root", "etc")); err == nil {
		t.Error("pause's root has an /etc: it is not its own")
	}
}
