package ctrinit

import (
	"bytes"
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
		switch os.Getenv("CTRINIT_ENV_HELD") {
		case "1":
			if len(held) == 0 {
				t.Skip("the runtime found no CPU limit to read here")
			}
		default:
			if len(held) > 0 {
				t.Fatalf("the runtime holds %v", held)
			}
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
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child with %q: %v\n%s", tc.env, err, out)
		}
		// Where the cgroup has no CPU limit file (a cgroup v2 root, or
		// no cpu controller) the runtime opens nothing: nothing to tell.
		if bytes.Contains(out, []byte("--- SKIP")) {
			t.Skipf("no cgroup CPU limit for Go's runtime to read here")
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
