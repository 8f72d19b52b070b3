package ctrinit

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRuntimeEnvHoldsNoCgroupFile: a process whose runtime starts with
// RuntimeEnv holds no descriptor of a cgroup file once main runs, where
// one started with GOMAXPROCS alone holds the CPU limit's files (which is
// also what shows the runtime found them here). The process is this
// test's binary run again.
func TestRuntimeEnvHoldsNoCgroupFile(t *testing.T) {
	if os.Getenv("CTRINIT_ENV_CHILD") == "1" {
		held := cgroupFds(t)
		if want := os.Getenv("CTRINIT_ENV_HELD") == "1"; want != (len(held) > 0) {
			t.Fatalf("held %v, want some: %v", held, want)
		}
		return
	}
	for _, tc := range []struct {
		env  []string
		held string
	}{
		{[]string{"GOMAXPROCS=1"}, "1"},
		{RuntimeEnv(), "0"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRuntimeEnvHoldsNoCgroupFile$", "-test.v")
		cmd.Env = append(tc.env, "CTRINIT_ENV_CHILD=1", "CTRINIT_ENV_HELD="+tc.held)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child with %q: %v\n%s", tc.env, err, out)
		}
	}
}

// cgroupFds lists the process's descriptors of files under /sys/fs/cgroup.
func cgroupFds(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, e := range ents {
		link, _ := os.Readlink("/proc/self/fd/" + e.Name())
		if strings.HasPrefix(link, "/sys/fs/cgroup") {
			held = append(held, e.Name()+"="+link)
		}
	}
	return held
}
