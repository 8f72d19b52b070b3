package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const leanPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 3"]
  - name: idle
    image: busybox
    command: ["sleep", "3600"]
`

// TestNoHugePagesAtRest: pause and the monitor never keep a mapping that
// khugepaged may turn into a 2 MiB page, not even after the collector ran
// with its goal unbounded (pause runs GOGC=off; every fork of the monitor
// holds the collector off). Such a page tripled pause's memory at rest.
// The workloads keep the node's huge page setting.
func TestNoHugePagesAtRest(t *testing.T) {
	root(t)
	name, _ := upLeanPod(t, "lean")
	execOut(t, name, "idle", "true")
	waitFor(t, 60*time.Second, "a restart of main", func() bool {
		return restarts(t, getRow(t, name)) >= 1
	})
	execOut(t, name, "idle", "true")
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	for what, pid := range map[string]int{"monitor": st.Monitor.PID, "pause": st.Pause.PID} {
		if m := hugePageMappings(t, pid); m != "" {
			t.Errorf("%s (pid %d) may get huge pages: %s", what, pid, m)
		}
	}
	for _, c := range st.Containers {
		if c.Name == "idle" && thpDisabled(t, c.Proc.PID) {
			t.Errorf("container idle (pid %d) has transparent huge pages disabled: the node's setting is the workload's", c.Proc.PID)
		}
	}
}

// TestLongLivedKeepNoProfileStacks: the monitor and pause run with the
// runtime setting that spares each of their threads two buffers for
// profile stacks, which neither ever profiles.
func TestLongLivedKeepNoProfileStacks(t *testing.T) {
	root(t)
	_, st := upLeanPod(t, "stacks")
	for what, pid := range map[string]int{"monitor": st.Monitor.PID, "pause": st.Pause.PID} {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err != nil {
			t.Fatal(err)
		}
		var godebug string
		for _, kv := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
				godebug = v
				break
			}
		}
		if !slices.Contains(strings.Split(godebug, ","), "profstackdepth=0") {
			t.Errorf("%s (pid %d) runs with GODEBUG=%q, want profstackdepth=0 in it", what, pid, godebug)
		}
	}
}

// upLeanPod starts leanPod under a fresh name and reads its record.
func upLeanPod(t *testing.T, prefix string) (string, *podState) {
	t.Helper()
	name := podName(prefix)
	upPod(t, name, tmpl(leanPod, name))
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	return name, st
}

// hugePageMappings names the mappings of pid that ask for huge pages
// (MADV_HUGEPAGE), unless the process has them disabled altogether.
func hugePageMappings(t *testing.T, pid int) string {
	t.Helper()
	if thpDisabled(t, pid) {
		return ""
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var mapping string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasSuffix(f[0], ":") {
			mapping = f[0]
		}
		if flags, ok := strings.CutPrefix(l, "VmFlags:"); ok && strings.Contains(" "+flags+" ", " hg ") {
			found = append(found, mapping)
		}
	}
	return strings.Join(found, ", ")
}

// thpDisabled reports PR_SET_THP_DISABLE on pid.
func thpDisabled(t *testing.T, pid int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(b), "\nTHP_enabled:\t0")
}

// TestMonitorLetsGoOfStartUp: once its pod is up, the monitor drops the
// pages of its program that start-up brought in (package initialisation
// touches much of it); left resident, they came to ~10 MB of a monitor at
// rest when it ran from minipod's binary. It does so shortly after its
// report, so that `up` finishes first.
func TestMonitorLetsGoOfStartUp(t *testing.T) {
	root(t)
	_, st := upLeanPod(t, "tidy")
	fi, err := os.Stat(filepath.Join(filepath.Dir(exe), "minipod-monitor"))
	if err != nil {
		t.Fatal(err)
	}
	var rss int
	waitFor(t, 30*time.Second, "the monitor to drop start-up's pages of the binary", func() bool {
		rss = statusKB(t, st.Monitor.PID, "RssFile")
		return rss < int(fi.Size()/1024/4)
	})
	t.Logf("monitor RssFile %d kB, binary %d kB", rss, fi.Size()/1024)
}

// TestMonitorMainThreadReaps: the monitor's main thread, which no other
// goroutine may use, is the one that waits for its children; the monitor
// had a thread for each before (one more thread per pod, ~20 kB).
func TestMonitorMainThreadReaps(t *testing.T) {
	root(t)
	_, st := upLeanPod(t, "reaper")
	pid := strconv.Itoa(st.Monitor.PID)
	// The main thread is blocked in wait4 (the kernel's do_wait) unless a
	// child's exit is being handled at this very moment.
	waitFor(t, 5*time.Second, "the monitor's main thread to wait for children", func() bool {
		b, err := os.ReadFile("/proc/" + pid + "/task/" + pid + "/wchan")
		return err == nil && string(b) == "do_wait"
	})
}

// statusKB reads a kB field of /proc/PID/status.
func statusKB(t *testing.T, pid int, key string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("%s of pid %d: %q", key, pid, v)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}

// TestMinipodLinksNoRegistryClient: the registry client and what only it
// needs live in minipod-pull, and Go's TLS and HTTP stacks (HTTPS and gRPC
// probes) in minipod-probe; minipod, which every command and every pod's
// monitor runs, would otherwise initialise them on each start (the
// registry client was a third of its package initialisation; TLS and
// HTTP took ~15% of `minipod version`, and 130 KB of every monitor) and
// keep their memory for a pod's life.
func TestMinipodLinksNoRegistryClient(t *testing.T) {
	linksNone(t, "minipod", "github.com/google/go-containerregistry/", "github.com/opencontainers/go-digest/", "github.com/klauspost/compress/", "github.com/minipod/minipod/pkg/image/pull/", "net/http/", "crypto/tls/", "github.com/minipod/minipod/pkg/probe/tlsgrpc/")
}

// TestMonitorLinksNoYAML: a pod's monitor runs from minipod-monitor,
// which links neither a YAML parser nor the command line: linked, they
// cost every monitor ~130 kB for its pod's whole life.
func TestMonitorLinksNoYAML(t *testing.T) {
	linksNone(t, "minipod-monitor", "go.yaml.in/", "sigs.k8s.io/yaml/", "gopkg.in/yaml", "github.com/spf13/cobra/", "k8s.io/client-go/", "github.com/minipod/minipod/pkg/podspec/yamlin/")
}

// linksNone fails if the program cmd/prog links a package under any of
// the heavy prefixes.
func linksNone(t *testing.T, prog string, heavy ...string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "./cmd/"+prog)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, h := range heavy {
			if strings.HasPrefix(dep+"/", h) {
				t.Errorf("%s links %s", prog, dep)
			}
		}
	}
}

// TestMonitorRunsFromItsProgram: installed beside minipod, minipod-monitor
// is what each pod's monitor runs (from a seal of it).
func TestMonitorRunsFromItsProgram(t *testing.T) {
	root(t)
	_, st := upLeanPod(t, "monprog")
	var got syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(st.Monitor.PID)+"/exe", &got); err != nil {
		t.Fatal(err)
	}
	want := fileID(t, filepath.Join(filepath.Dir(exe), "minipod-monitor"))
	if want.dev != uint64(got.Dev) || want.ino != got.Ino {
		t.Errorf("the monitor runs %d:%d, not minipod-monitor (%d:%d)", got.Dev, got.Ino, want.dev, want.ino)
	}
}

// TestLongLivedThreadsNamed: every thread of the monitor and of pause
// carries the process's name. Both run from a seal, /proc/self/fd/100, and
// the threads the Go runtime made before main named the process were
// called "100" in ps -L and top -H.
func TestLongLivedThreadsNamed(t *testing.T) {
	root(t)
	_, st := upLeanPod(t, "threads")
	for what, pid := range map[string]int{"monitor": st.Monitor.PID, "pause": st.Pause.PID} {
		dir := "/proc/" + strconv.Itoa(pid)
		want := readTrimmed(t, dir+"/comm")
		var odd []string
		var n int
		waitFor(t, 30*time.Second, what+"'s threads to carry its name "+want, func() bool {
			ents, err := os.ReadDir(dir + "/task")
			if err != nil {
				t.Fatal(err)
			}
			odd, n = odd[:0], len(ents)
			for _, e := range ents {
				b, err := os.ReadFile(dir + "/task/" + e.Name() + "/comm")
				if err == nil && strings.TrimSpace(string(b)) != want {
					odd = append(odd, e.Name()+":"+strings.TrimSpace(string(b)))
				}
			}
			return len(odd) == 0
		})
		t.Logf("%s: %d threads named %s", what, n, want)
	}
	// Naming went through the host's /proc: pause, PID 1 of the pod (whose
	// fds a container given SYS_PTRACE could open), keeps no descriptor of
	// it, which would lead from the container back to the host's /proc.
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(st.Pause.PID) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fds {
		fd := "/proc/" + strconv.Itoa(st.Pause.PID) + "/fd/" + e.Name()
		var fs unix.Statfs_t
		if unix.Statfs(fd, &fs) == nil && fs.Type == unix.PROC_SUPER_MAGIC {
			target, _ := os.Readlink(fd)
			t.Errorf("pause holds fd %s of a /proc: %s", e.Name(), target)
		}
	}
}

func readTrimmed(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
