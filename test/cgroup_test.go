package test

import (
	"os"
	"path/filepath"
	"slices"
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

// TestExecInContainerCgroupV1: every exec'd command is born in its
// container's cgroup of each v1 hierarchy, the second exec into a
// container too (the monitor keeps the placement it opened for the
// first), and each container's in its own.
func TestExecInContainerCgroupV1(t *testing.T) {
	root(t)
	if !v1Controllers() {
		t.Skip("no v1 controllers on this host (TestCgroupV2 checks exec's v2 cgroup)")
	}
	name := podName("execcg")
	upPod(t, name, tmpl(twoIdlePod, name))
	uid := string(getPod(t, name).UID)
	for _, c := range []string{"a", "b", "a", "b"} {
		out := execOut(t, name, c, "cat", "/proc/self/cgroup")
		want := "/minipod/pod" + uid + "/" + c
		for _, ctrl := range []string{"memory", "pids"} {
			if !hasCgroupLine(out, ctrl, want) {
				t.Errorf("exec'd process of %s: no %s cgroup %s in\n%s", c, ctrl, want, out)
			}
		}
	}
}

// v1Controllers tells whether this host mounts v1 controllers.
func v1Controllers() bool {
	_, err := os.Stat("/sys/fs/cgroup/memory/tasks")
	return err == nil
}

// hasCgroupLine tells whether /proc/PID/cgroup text puts controller ctrl
// at path.
func hasCgroupLine(text, ctrl, path string) bool {
	for _, l := range strings.Split(text, "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) == 3 && parts[2] == path && slices.Contains(strings.Split(parts[1], ","), ctrl) {
			return true
		}
	}
	return false
}
