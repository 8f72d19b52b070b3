package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPauseHandsOver: pause sets up the pod's namespaces and leaves them
// to the monitor, which holds them for the pod's life: no pause process
// runs, a restarted container joins the same namespaces, and no container
// process inherits the monitor's namespace fds. With a shared PID
// namespace pause stays, as its PID 1, protected from the OOM killer as
// containerd protects a sandbox.
func TestPauseHandsOver(t *testing.T) {
	root(t)
	t.Run("own PID namespaces", func(t *testing.T) {
		t.Parallel()
		name := podName("handover")
		upPod(t, name, tmpl(twoIdle, name, "SHARE", "false"))
		st, err := readState(name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pause.PID != 0 {
			t.Errorf("pause %d still runs", st.Pause.PID)
		}
		if n := pauseProcesses(name); n != 0 {
			t.Errorf("%d pause processes of the pod run", n)
		}
		held := regexp.MustCompile(`^/proc/` + strconv.Itoa(st.Monitor.PID) + `/fd/\d+$`)
		for _, k := range []string{"net", "ipc", "uts"} {
			p := st.NSPaths[k]
			if !held.MatchString(p) {
				t.Fatalf("%s namespace held at %q, want one of the monitor's fds", k, p)
			}
			if got, want := linkInode(t, p), strconv.FormatUint(st.Namespaces[k], 10); got != want {
				t.Errorf("%s: the monitor holds %s, the pod's is %s", k, got, want)
			}
		}
		// A new instance of a joins what the monitor holds.
		before := nsInode(t, name, "a", "net")
		if err := syscall.Kill(ctrHostPID(t, name, "a"), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "a restarted", func() bool {
			row := getRow(t, name)
			return restarts(t, row) >= 1 && row["READY"] == "2/2"
		})
		for _, k := range []string{"net", "ipc", "uts"} {
			if got, want := nsInode(t, name, "a", k), strconv.FormatUint(st.Namespaces[k], 10); got != want {
				t.Errorf("restarted a: %s namespace %s, want the pod's %s", k, got, want)
			}
		}
		if after := nsInode(t, name, "a", "net"); after != before {
			t.Errorf("restarted a: net %s, before %s", after, before)
		}
		if h := strings.TrimSpace(execOut(t, name, "a", "hostname")); h != name {
			t.Errorf("hostname in the restarted a: %q, want %q", h, name)
		}
		for _, c := range []string{"a", "b"} {
			if fds := namespaceFds(t, ctrHostPID(t, name, c)); len(fds) > 0 {
				t.Errorf("container %s holds namespace fds: %v", c, fds)
			}
		}
	})
	t.Run("shared PID namespace", func(t *testing.T) {
		t.Parallel()
		name := podName("handover-share")
		upPod(t, name, tmpl(twoIdle, name, "SHARE", "true"))
		st, err := readState(name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pause.PID == 0 || st.NSPaths["net"] != "/proc/"+strconv.Itoa(st.Pause.PID)+"/ns/net" {
			t.Fatalf("pause %d, network namespace held at %q: want pause to hold it", st.Pause.PID, st.NSPaths["net"])
		}
		monAdj := procFileInt(t, st.Monitor.PID, "oom_score_adj")
		canLower := hasCap(t, st.Monitor.PID, capSysResource)
		if adj := procFileInt(t, st.Pause.PID, "oom_score_adj"); (canLower && adj != -998) || adj > monAdj {
			t.Errorf("pause: oom_score_adj %d, want -998 (monitor's %d, CAP_SYS_RESOURCE: %v)", adj, monAdj, canLower)
		}
	})
}

// pauseProcesses counts the pause processes whose hostname argument is
// pod ("minipod pause HOSTNAME ...").
func pauseProcesses(pod string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if args := strings.Split(string(b), "\x00"); len(args) > 2 && args[1] == "pause" && args[2] == pod {
			n++
		}
	}
	return n
}

// namespaceFds lists the fds of process pid that are namespaces.
func namespaceFds(t *testing.T, pid int) []string {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		l, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err == nil && regexp.MustCompile(`^[a-z_]+:\[\d+\]$`).MatchString(l) && !strings.HasPrefix(l, "pipe:") && !strings.HasPrefix(l, "socket:") && !strings.HasPrefix(l, "anon_inode:") {
			out = append(out, e.Name()+" -> "+l)
		}
	}
	return out
}
