package test

import (
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupControllers are the v1 controllers every container must be
// confined by: memory and pids bound what it can take from the host,
// devices what it can open, cpu its share.
var cgroupControllers = []string{"memory", "pids", "devices", "cpu"}

// TestAttackCgroups: containers ran in their caller's cgroups, unbounded
// (writing into /etc/hosts filled the host's /run tmpfs). Every container
// process, main and exec'd, must be in a cgroup of its own,
// /minipod/pod<UID>/<container> as the kubelet shapes them, for each
// controller; the pod's cgroups must be gone after down, also when the
// monitor was SIGKILLed first; /etc/hosts, /etc/hostname and
// /etc/resolv.conf must not be on a tmpfs.
func TestAttackCgroups(t *testing.T) {
	root(t)
	for _, killMonitor := range []bool{false, true} {
		t.Run("monitor killed "+strconv.FormatBool(killMonitor), func(t *testing.T) {
			t.Parallel()
			checkPodCgroups(t, killMonitor)
		})
	}
	// /run is not a tmpfs on every machine: make sure of one.
	t.Run("run root on a tmpfs", func(t *testing.T) {
		t.Parallel()
		run := filepath.Join(t.TempDir(), "run")
		if err := os.Mkdir(run, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount("tmpfs", run, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=16m,mode=0700"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // registered first: runs after down
			if err := unix.Unmount(run, unix.MNT_DETACH); err != nil {
				t.Errorf("unmount the test's tmpfs: %v", err)
			}
		})
		name := podName("atk-cgroup-run")
		upPod(t, name, tmpl(twoIdlePod, name), runOpts{env: []string{"MINIPOD_RUN_DIR=" + run}})
		checkPodFilesNotTmpfs(t, name, runOpts{env: []string{"MINIPOD_RUN_DIR=" + run}})
	})
}

func checkPodCgroups(t *testing.T, killMonitor bool) {
	name := podName("atk-cgroup")
	var uid string
	t.Cleanup(func() { // registered first: runs after down
		for _, c := range cgroupControllers {
			for _, p := range podCgroupNames(uid) {
				if _, err := os.Stat(path.Join("/sys/fs/cgroup", c, "minipod", p)); err == nil {
					t.Errorf("down left the pod's %s cgroup /minipod/%s", c, p)
				}
			}
		}
	})
	upPod(t, name, tmpl(twoIdlePod, name))
	uid = string(getPod(t, name).UID)
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, c := range st.Containers {
		cg := checkOwnCgroup(t, "container "+c.Name, c.Proc.PID, uid)
		if other, dup := seen[cg]; dup && cg != "" {
			t.Errorf("containers %s and %s share the cgroup %s", other, c.Name, cg)
		}
		seen[cg] = c.Name
		if pid := execPID(t, name, c.Name, c.Proc.PID); pid > 0 {
			if got := checkOwnCgroup(t, "exec'd process in "+c.Name, pid, uid); got != cg && got != "" && cg != "" {
				t.Errorf("exec'd process in %s is in %s, its container in %s", c.Name, got, cg)
			}
		}
	}
	checkPodFilesNotTmpfs(t, name, runOpts{})
	if killMonitor {
		if err := syscall.Kill(st.Monitor.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
}

// podCgroupNames are the pod cgroup's names under /minipod: the cgroupfs
// driver's pod<UID> and the systemd driver's spelling.
func podCgroupNames(uid string) []string {
	if uid == "" {
		return nil
	}
	return []string{"pod" + uid, "pod" + strings.ReplaceAll(uid, "-", "_")}
}

// checkOwnCgroup requires pid to be in /minipod/pod<UID>/<leaf> for every
// controller (the same leaf for all), with the directory present; it
// returns that path, "" after failing the test.
func checkOwnCgroup(t *testing.T, who string, pid int, uid string) string {
	t.Helper()
	paths := procCgroups(t, pid)
	var cg string
	var wrong []string
	for _, c := range cgroupControllers {
		p := paths[c]
		_, err := os.Stat(path.Join("/sys/fs/cgroup", c, p))
		if !inPodCgroup(p, uid) || err != nil || (cg != "" && p != cg) {
			wrong = append(wrong, c+":"+p)
		}
		cg = p
	}
	if len(wrong) > 0 {
		t.Errorf("%s is in cgroups %v, want /minipod/pod%s/<container> (existing, one for all of %v)", who, wrong, uid, cgroupControllers)
		return ""
	}
	return cg
}

// procCgroups maps each v1 controller to pid's cgroup path.
func procCgroups(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, l := range lines(string(b)) {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 {
			for _, c := range strings.Split(f[1], ",") {
				paths[c] = f[2]
			}
		}
	}
	return paths
}

// inPodCgroup tells whether p is a direct child of the pod's cgroup.
func inPodCgroup(p, uid string) bool {
	for _, pod := range podCgroupNames(uid) {
		if leaf, ok := strings.CutPrefix(p, "/minipod/"+pod+"/"); ok && leaf != "" && !strings.Contains(leaf, "/") {
			return true
		}
	}
	return false
}

// execPID starts `exec POD -c ctr -- sleep` and returns the host PID of
// the exec'd process (found by its PID inside the container's PID
// namespace), or 0 after failing the test.
func execPID(t *testing.T, pod, ctr string, mainPID int) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, exe, "exec", pod, "-c", ctr, "--", "sh", "-c", "echo $$; exec sleep 5")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	nspid := strings.TrimSpace(string(buf[:n]))
	pidNS, _ := os.Readlink("/proc/" + strconv.Itoa(mainPID) + "/ns/pid")
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if ns, _ := os.Readlink("/proc/" + e.Name() + "/ns/pid"); ns != pidNS || pidNS == "" {
			continue
		}
		st, _ := os.ReadFile("/proc/" + e.Name() + "/status")
		if f := strings.Fields(statusLine(string(st), "NSpid")); len(f) > 1 && f[len(f)-1] == nspid {
			pid, _ := strconv.Atoi(e.Name())
			return pid
		}
	}
	t.Errorf("exec'd process %q of %s not found on the host", nspid, ctr)
	return 0
}

// checkPodFilesNotTmpfs: the pod's /etc files live on its disk, not on a
// tmpfs that a container can fill.
func checkPodFilesNotTmpfs(t *testing.T, pod string, o runOpts) {
	t.Helper()
	r := mpWith(t, o, "exec", pod, "-c", "a", "--", "cat", "/proc/self/mountinfo")
	if r.code != 0 {
		t.Fatalf("read the container's mountinfo: %s", r)
	}
	mi := r.stdout
	for _, f := range []string{"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"} {
		fstype := ""
		for _, l := range lines(mi) {
			pre, post, ok := strings.Cut(l, " - ")
			if fs := strings.Fields(pre); ok && len(fs) > 4 && fs[4] == f {
				fstype = strings.Fields(post)[0]
			}
		}
		if fstype == "" || fstype == "tmpfs" {
			t.Errorf("%s in the container is mounted from %q, want the pod's disk, not a tmpfs", f, fstype)
		}
	}
}
