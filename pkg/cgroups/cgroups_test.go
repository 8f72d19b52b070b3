package cgroups

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// allow is the device allowlist the tests apply: deny everything, then
// let /dev/null through.
func allow() *specs.LinuxResources {
	c, one, three := "c", int64(1), int64(3)
	return &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: c, Major: &one, Minor: &three, Access: "rwm"},
	}}
}

func randomUID(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test-" + hex.EncodeToString(b)
}

// startIn forks sh into the cgroup the way minipod starts a container: from
// a locked thread that joined the v1 cgroups, entering v2 with clone3.
func startIn(t *testing.T, d Dirs, out *strings.Builder, script string, env ...string) *exec.Cmd {
	t.Helper()
	p, err := Place(d)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread joined the cgroup
		leave, err := p.JoinThread()
		if err != nil {
			errc <- err
			return
		}
		if fd, ok := p.CgroupFD(); ok {
			cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
		}
		err = cmd.Start()
		err = errors.Join(err, leave())
		if own, _ := os.ReadFile("/proc/thread-self/cgroup"); strings.Contains(string(own), "/minipod/") {
			err = errors.Join(err, errors.New("the forking thread stayed in the container's cgroup:\n"+string(own)))
		}
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return cmd
}

// nodes makes a null (1:3) and a kmsg (1:11) device node in a temp dir.
func nodes(t *testing.T) (null, kmsg string) {
	dir := t.TempDir()
	null, kmsg = filepath.Join(dir, "null"), filepath.Join(dir, "kmsg")
	for _, n := range []struct {
		path         string
		major, minor uint32
	}{{null, 1, 3}, {kmsg, 1, 11}} {
		if err := unix.Mknod(n.path, unix.S_IFCHR|0o600, int(unix.Mkdev(n.major, n.minor))); err != nil {
			t.Fatal(err)
		}
	}
	return null, kmsg
}

func checkDriver(t *testing.T, d Driver, want string) {
	uid := randomUID(t)
	pod, err := PodPath(uid)
	if err != nil {
		t.Fatal(err)
	}
	podDirs, err := d.Create(pod, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Destroy(podDirs, 5*time.Second) })
	path, _ := Child(pod, "app")
	dirs, err := d.Create(path, allow())
	if err != nil {
		t.Fatal(err)
	}
	null, kmsg := nodes(t)
	var b strings.Builder
	cmd := startIn(t, dirs, &b, `cat /proc/self/cgroup; (: <"$NULL") && echo null-ok; (: <"$KMSG") 2>/dev/null && echo kmsg-open || echo kmsg-denied`,
		"NULL="+null, "KMSG="+kmsg)
	err = cmd.Wait()
	out := b.String()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(out, want+path+"\n") {
		t.Errorf("child not in %s%s:\n%s", want, path, out)
	}
	if !strings.Contains(out, "null-ok") || !strings.Contains(out, "kmsg-denied") {
		t.Errorf("device allowlist not applied:\n%s", out)
	}
	checkDestroy(t, d, pod, podDirs, dirs)
}

// checkDestroy runs a process in the container cgroup, destroys the pod
// cgroup and checks that the process died and every directory is gone.
func checkDestroy(t *testing.T, d Driver, pod string, podDirs, dirs Dirs) {
	t.Helper()
	var b strings.Builder
	sleeper := startIn(t, dirs, &b, "sleep 60")
	checkHolds(t, dirs, sleeper.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- sleeper.Wait() }()
	if err := Destroy(podDirs, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a process of the pod cgroup survived Destroy")
	}
	for _, dir := range podDirs {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s survived Destroy: %v", dir, err)
		}
	}
	if err := Destroy(podDirs, time.Second); err != nil {
		t.Errorf("Destroy of a removed cgroup: %v", err)
	}
}

// checkHolds: the placement of dirs holds pid (started in them), not this
// test's process.
func checkHolds(t *testing.T, dirs Dirs, pid int) {
	t.Helper()
	p, err := Place(dirs)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if in, err := p.Holds(pid); err != nil || !in {
		t.Errorf("the cgroup does not hold %d, started in it (%v)", pid, err)
	}
	if in, err := p.Holds(os.Getpid()); err != nil || in {
		t.Errorf("the cgroup holds the test's own process (%v)", err)
	}
}

func TestV1(t *testing.T) {
	testutil.RequiresRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/devices/devices.list"); err != nil {
		t.Skip("no cgroup v1 devices hierarchy on this host")
	}
	checkDriver(t, Driver{}, ":devices:")
}

func TestV2(t *testing.T) {
	testutil.RequiresRoot(t)
	mount := unifiedMount
	if !isCgroup2(mount) {
		mount = hybridMount
	}
	if !isCgroup2(mount) {
		t.Skip("no cgroup2 mount on this host")
	}
	checkDriver(t, Driver{V2: true, Mount: mount}, "0::")
}

// TestKillLeavesEmptyCgroupAlone: with no process left there is nothing
// to freeze and signal, and Kill must not cost a freeze and a thaw (the
// freezer's state, set frozen here, stays as it was).
func TestKillLeavesEmptyCgroupAlone(t *testing.T) {
	testutil.RequiresRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/freezer/cgroup.procs"); err != nil {
		t.Skip("no cgroup v1 freezer hierarchy on this host")
	}
	d := Driver{}
	pod := newPod(t, d)
	dirs, err := d.Resolve(pod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dirs["freezer"]+"/freezer.state", []byte("FROZEN"), 0); err != nil {
		t.Fatal(err)
	}
	if err := Kill(dirs); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dirs["freezer"], "freezer.state"); got != "FROZEN" {
		t.Errorf("freezer.state of an empty cgroup after Kill = %s, want it left FROZEN", got)
	}
	if err := os.WriteFile(dirs["freezer"]+"/freezer.state", []byte("THAWED"), 0); err != nil {
		t.Fatal(err)
	}
}
