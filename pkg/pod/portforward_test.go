package pod

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// netnsHolder starts a process in a network namespace of its own and
// returns it once it is in there, with the namespace's inode.
func netnsHolder(t *testing.T) (*exec.Cmd, uint64) {
	t.Helper()
	var own unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &own); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-n", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; i < 200; i++ {
		var st unix.Stat_t
		if unix.Stat("/proc/"+strconv.Itoa(cmd.Process.Pid)+"/ns/net", &st) == nil && st.Ino != own.Ino {
			return cmd, st.Ino
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the holder never entered a namespace of its own")
	return nil, 0
}

// TestPortForwardHolderGone: once the process that holds a pod's network
// namespace is gone, a running port-forward opens nothing for the next
// connection, even when its PID has gone to a new process whose network
// namespace got the dead one's inode number (the kernel hands out the
// lowest free one): a check of the inode alone would then relay into that
// other namespace.
func TestPortForwardHolderGone(t *testing.T) {
	testutil.RequiresRoot(t)
	a, ino := netnsHolder(t)
	pid := a.Process.Pid
	st := &state.Pod{Name: "pf-holder", Bound: true, Monitor: state.Identify(pid),
		NSPaths: map[string]string{"net": "/proc/" + strconv.Itoa(pid) + "/ns/net"}, Namespaces: map[string]uint64{"net": ino}}
	n, err := podNetNS(st)
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	_ = a.Process.Kill()
	_ = a.Wait()
	// Ask for the dead holder's PID for the next process (as CRIU does).
	time.Sleep(100 * time.Millisecond) // its namespace freed, its inode number free
	_ = os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0)
	b, inoB := netnsHolder(t)
	t.Logf("new process %d (holder was %d), namespace inode %d (was %d)", b.Process.Pid, pid, inoB, ino)
	if set, err := ns.OpenPath("net", st.NSPaths["net"]); err == nil {
		// What a check of the inode alone would have let through.
		if set.Expect(st.Namespaces) == nil {
			t.Logf("the path and inode now lead into another process's namespace")
		}
		set.Close()
	}
	if set, err := n.open(); err == nil {
		set.Close()
		t.Errorf("port-forward opened a network namespace after its holder died")
	}
}
