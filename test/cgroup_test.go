package test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// cgroup2Mount is where this host has a cgroup2 hierarchy, "" if none.
func cgroup2Mount() string {
	for _, m := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		var st unix.Statfs_t
		if unix.Statfs(m, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return m
		}
	}
	return ""
}

// TestCgroupV2: with the node setting cgroup-version = 2 (on this host the
// empty cgroup2 mount beside the v1 controllers, a real v2 hierarchy),
// every container and exec'd process is in its own v2 cgroup under the
// pod's, the eBPF device program denies what the allowlist does not name,
// and down removes the tree even after the monitor was SIGKILLed.
func TestCgroupV2(t *testing.T) {
	root(t)
	mount := cgroup2Mount()
	if mount == "" {
		t.Skip("no cgroup2 hierarchy on this host")
	}
	v2 := runOpts{env: []string{"MINIPOD_CGROUP_VERSION=2"}}
	name := podName("cgv2")
	upPod(t, name, tmpl(twoIdlePod, name), v2)
	uid := string(getPod(t, name).UID)
	podDir := filepath.Join(mount, "minipod", "pod"+uid)
	for _, c := range []string{"a", "b"} {
		out := mustMPWith(t, v2, "exec", name, "-c", c, "--", "cat", "/proc/self/cgroup")
		if want := "0::/minipod/pod" + uid + "/" + c + "\n"; !strings.Contains(out, want) {
			t.Errorf("exec'd process of %s not in its v2 cgroup %q:\n%s", c, want, out)
		}
		procs, err := os.ReadFile(filepath.Join(podDir, c, "cgroup.procs"))
		if err != nil || len(strings.Fields(string(procs))) == 0 {
			t.Errorf("container %s has no process in %s: %q %v", c, podDir, procs, err)
		}
	}
	// Pause set the namespaces up there, then handed them over and left.
	if procs, _ := os.ReadFile(filepath.Join(podDir, "_pause", "cgroup.procs")); len(strings.Fields(string(procs))) != 0 {
		t.Errorf("pause's cgroup is not empty: %q", procs)
	}
	r := mpWith(t, v2, "exec", name, "-c", "a", "--", "sh", "-c", "mknod /tmp/kmsg c 1 11 && head -c 1 /tmp/kmsg")
	if r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("reading a /dev/kmsg node made in the container: want EPERM from the device program, got %s", r)
	}
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st.Monitor.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	mustMPWith(t, v2, "down", name)
	if _, err := os.Stat(podDir); !os.IsNotExist(err) {
		t.Errorf("pod cgroup %s survived down after a killed monitor: %v", podDir, err)
	}
}

func mustMPWith(t testing.TB, o runOpts, args ...string) string {
	t.Helper()
	r := mpWith(t, o, args...)
	if r.code != 0 {
		t.Fatalf("unexpected failure: %s", r)
	}
	return r.stdout
}
