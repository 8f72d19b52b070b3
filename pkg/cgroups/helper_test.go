package cgroups

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// helperEnv makes the test binary, re-executed into a cgroup, a workload
// instead of a test run: the tests then depend on no tool of the host
// beyond /bin/sh.
const helperEnv = "MINIPOD_CGROUPS_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// sink keeps the allocations of the helper reachable, so the compiler
// cannot drop them.
var sink []byte

func helper(mode string) int {
	switch mode {
	case "alloc": // touch 100 MiB page by page; only an OOM kill stops it
		sink = touch(100 << 20)
		fmt.Println("allocated 100 MiB")
		return 0
	case "hold": // touch 16 MiB, write 8 MiB of file cache, wait to be killed
		sink = touch(16 << 20)
		if err := os.WriteFile(os.Getenv("CACHE_FILE"), make([]byte, 8<<20), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("holding")
		time.Sleep(time.Hour)
		return 0
	case "spin": // burn CPU until killed
		for {
		}
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

func touch(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		b[i] = 1
	}
	return b
}

// startHelper starts the test binary in a helper mode in the cgroup, and
// kills and reaps it when the test ends, whatever happened meanwhile.
func startHelper(t *testing.T, d Dirs, out *strings.Builder, mode string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	cmd := startIn(t, d, out, `exec "$EXE"`, "EXE="+exe, helperEnv+"="+mode, "CACHE_FILE="+cache)
	reapAtEnd(t, cmd)
	return cmd
}

// reapAtEnd kills and reaps cmd when the test ends, unless it was waited
// for already.
func reapAtEnd(t *testing.T, cmd *exec.Cmd) {
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
}

// killedBySIGKILL says whether the process ended by SIGKILL.
func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// newPod creates a pod cgroup of a unique name, destroyed (processes and
// all) when the test ends.
func newPod(t testing.TB, d Driver) string {
	t.Helper()
	pod, err := PodPath(randomUID(t))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := d.Create(pod, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := Destroy(dirs, 5*time.Second); err != nil {
			t.Errorf("destroy test pod cgroup: %v", err)
		}
	})
	return pod
}

// newChild creates a container cgroup in the pod.
func newChild(t *testing.T, d Driver, pod, name string, res *specs.LinuxResources) Dirs {
	t.Helper()
	path, err := Child(pod, name)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := d.Create(path, res)
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// readFile reads one value of a cgroup file.
func readFile(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(dir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func ptr[T any](v T) *T { return &v }
