package infra

import (
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The main goroutine keeps the main thread, as cmd/minipod's does: the
// tests join pause's namespaces on threads that ns throws away after use,
// and Go never ends the main thread (it parks it forever, still in the
// pod's namespaces, and /proc/self/ns then names those).
func init() { runtime.LockOSThread() }

// TestMain lets the test binary act as the pause process when re-executed.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == pause.Role {
		pause.Main(os.Args[2:])
		return
	}
	os.Exit(m.Run())
}

func TestPauseHoldsNamespaces(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pid, life, err := Start(exe, "pause-test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer life.Close()
	for _, k := range []string{"net", "ipc", "uts"} {
		host, _ := ns.Inode(os.Getpid(), k)
		pod, err := ns.Inode(pid, k)
		if err != nil || pod == host {
			t.Errorf("%s namespace of pause = %d (host %d), err %v", k, pod, host, err)
		}
	}
	set, err := ns.Open(pid, "net", "uts")
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	err = set.Do(func() error {
		var u unix.Utsname
		if err := unix.Uname(&u); err != nil {
			return err
		}
		if got := unix.ByteSliceToString(u.Nodename[:]); got != "pause-test" {
			t.Errorf("hostname = %q", got)
		}
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		if lo.Attrs().Flags&net.FlagUp == 0 {
			t.Errorf("loopback is down: %v", lo.Attrs().Flags)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Kill(pid, unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("pause on SIGTERM: %v, want exit 0", ws)
	}
}

func TestPauseSharedPID(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, _ := os.Executable()
	pid, life, err := Start(exe, "pid-test", Options{SharePID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stopPause(pid, life)
	status, err := os.ReadFile("/proc/" + itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	// NSpid lists the PID in every namespace; the last one is ours: 1.
	if !containsLine(string(status), "NSpid:", "1") {
		t.Errorf("pause is not PID 1 of its namespace:\n%s", status)
	}
}

func TestPauseHostNetwork(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, _ := os.Executable()
	pid, life, err := Start(exe, "ignored", Options{HostNetwork: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stopPause(pid, life)
	for k, shared := range map[string]bool{"net": true, "uts": true, "ipc": false} {
		host, _ := ns.Inode(os.Getpid(), k)
		pod, _ := ns.Inode(pid, k)
		if (host == pod) != shared {
			t.Errorf("%s namespace shared with the host = %v, want %v", k, host == pod, shared)
		}
	}
}

// TestPauseExitsWithItsMonitor: when the holder of the lifeline dies (its
// write end closes), pause exits instead of holding the pod's namespaces.
func TestPauseExitsWithItsMonitor(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, _ := os.Executable()
	pid, life, err := Start(exe, "lifeline-test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	life.Close()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("pause after losing its lifeline: %v, want exit 0", ws)
	}
}

// TestPauseHasNoCapabilities: once set up, pause keeps no capability on
// any thread.
func TestPauseHasNoCapabilities(t *testing.T) {
	testutil.RequiresRoot(t)
	if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_GETPID, 0, 0, 0); e == syscall.ENOTSUP {
		t.Skip("test binary built with cgo; minipod is built with CGO_ENABLED=0 (make test)")
	}
	exe, _ := os.Executable()
	pid, life, err := Start(exe, "caps-test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer stopPause(pid, life)
	tasks, _ := os.ReadDir("/proc/" + itoa(pid) + "/task")
	for _, task := range tasks {
		st, err := os.ReadFile("/proc/" + itoa(pid) + "/task/" + task.Name() + "/status")
		if err != nil {
			continue
		}
		for _, key := range []string{"CapEff:", "CapPrm:", "CapBnd:"} {
			if !containsLine(string(st), key, "0000000000000000") {
				t.Errorf("thread %s: %s not empty", task.Name(), key)
			}
		}
	}
}

// stopPause kills and reaps a pause a test started, and drops its lifeline.
func stopPause(pid int, life *os.File) {
	life.Close()
	_ = unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, 0, nil)
}
