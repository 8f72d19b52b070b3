package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackKernelInterfaces: the escapes of runc's and Docker's history
// that go through kernel interfaces rather than minipod's own code. Each
// is a regression guard: masked /proc files read as empty, kernel knobs
// (core_pattern, sysrq-trigger, uevent_helper...) do not open for writing,
// no cgroup v1 mount for a release_agent (CVE-2022-0492) nor a fresh proc
// in a user namespace, no open_by_handle_at through a bind-mounted host
// file (shocker), no way out of a chroot, and an exec'd process holds no
// descriptor but 0, 1 and 2.
func TestAttackKernelInterfaces(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-kernel")
	upPod(t, name, attackPodText(name, idleCommand, "", ""))
	fails := func(t *testing.T, why string, args ...string) result {
		t.Helper()
		r := mp(t, append([]string{"exec", name, "--"}, args...)...)
		if r.code == 0 {
			t.Errorf("%s worked: %s", why, r)
		}
		return r
	}
	t.Run("masked paths", func(t *testing.T) {
		for _, p := range []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats"} {
			r := mp(t, "exec", name, "--", "/attack", "open", p, "r", "4096")
			if r.code == 0 && !strings.Contains(r.stdout, ": 0 bytes") {
				t.Errorf("%s is readable: %s", p, r)
			}
		}
	})
	t.Run("kernel knobs", func(t *testing.T) {
		for _, p := range []string{"/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
			"/proc/sys/vm/drop_caches", "/sys/kernel/uevent_helper", "/sys/power/state", "/proc/sys/kernel/hostname"} {
			fails(t, "opening "+p+" for writing", "/attack", "open", p, "w")
		}
	})
	t.Run("cgroup mounts", func(t *testing.T) {
		fails(t, "mounting a cgroup", "mount", "-t", "cgroup", "-o", "memory", "cgroup", "/tmp")
		r := mp(t, "exec", name, "--", "unshare", "-r", "-m", "sh", "-c",
			"mount -t cgroup -o memory x /tmp && echo MOUNTED; mount -t cgroup -o rdma x /tmp && echo MOUNTED")
		if strings.Contains(r.stdout, "MOUNTED") {
			t.Errorf("a user namespace mounted a cgroup hierarchy (release_agent): %s", r)
		}
	})
	t.Run("proc in a new pid namespace", func(t *testing.T) {
		fails(t, "mounting a fresh proc", "unshare", "-r", "-m", "-p", "-f", "--mount-proc", "true")
	})
	t.Run("shocker", func(t *testing.T) {
		for _, f := range []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"} {
			fails(t, "open_by_handle_at through "+f, "/attack", "shocker", f)
		}
	})
	t.Run("chroot escape", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "host-only")
		if err := os.WriteFile(marker, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		out := execOut(t, name, "", "/attack", "chroot-escape", marker)
		if !strings.Contains(out, "does not exist") {
			t.Errorf("a chroot break-out reached the host: %s", out)
		}
	})
	t.Run("exec'd fds", func(t *testing.T) {
		var got []string
		for _, l := range lines(execOut(t, name, "", "/attack", "fds")) {
			got = append(got, strings.Fields(l)[1])
		}
		if strings.Join(got, " ") != "0 1 2" {
			t.Errorf("an exec'd process has fds %v, want only 0 1 2", got)
		}
	})
}
