package testutil

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// HostSnapshot is what a pod may touch on the host: mounts, minipod
// processes, named network namespaces and minipod's state trees.
type HostSnapshot struct {
	Mounts    []string
	Processes []string
	NetNS     []string
	Files     []string
}

// Snapshot records the host as it is now. exe is the minipod binary under
// test, so its processes can be told apart from anything else.
func Snapshot(t testing.TB, exe string) HostSnapshot {
	t.Helper()
	return HostSnapshot{
		Mounts:    mounts(t),
		Processes: processesOf(exe),
		NetNS:     list("/run/netns"),
		Files: slices.Concat(slices.DeleteFunc(list("/run/minipod"), isObjectsDir), list("/var/lib/minipod/pods"), list("/var/log/pods"),
			walk("/run/minipod/.objects"), walk("/var/lib/minipod/objects"), list("/var/lib/minipod/volumes")),
	}
}

// Diff lists what b has that a does not.
func (a HostSnapshot) Diff(b HostSnapshot) []string {
	var out []string
	for _, k := range []struct {
		name string
		a, b []string
	}{{"mount", a.Mounts, b.Mounts}, {"process", a.Processes, b.Processes}, {"netns", a.NetNS, b.NetNS}, {"file", a.Files, b.Files}} {
		have := map[string]bool{}
		for _, x := range k.a {
			have[x] = true
		}
		for _, x := range k.b {
			if !have[x] {
				out = append(out, k.name+": "+x)
			}
		}
	}
	return out
}

func mounts(t testing.TB) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// The run root's own tmpfs, where /run is not one, stays; tests
		// mount run roots of their own in their temporary directories.
		if len(fields) > 4 && fields[4] != "/run/minipod" && !strings.HasPrefix(fields[4], filepath.Join(os.TempDir(), "Test")) {
			out = append(out, fields[4])
		}
	}
	sort.Strings(out)
	return out
}

// processesOf lists "PID cmdline" of every process running exe. It
// compares files, not paths: minipod's pod processes run from a sealed
// read-only mount of the binary, whose path names nothing.
func processesOf(exe string) []string {
	var want, mon, pause, init, pull, probe unix.Stat_t
	if err := unix.Stat(exe, &want); err != nil {
		return nil
	}
	// The pods' monitors, pause, the containers' init, the image pulls and
	// the TLS and gRPC probe attempts run from minipod-monitor,
	// minipod-pause, minipod-init, minipod-pull and minipod-probe beside
	// it, when built.
	_ = unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-monitor"), &mon)
	_ = unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-pause"), &pause)
	_ = unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-init"), &init)
	_ = unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-pull"), &pull)
	_ = unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-probe"), &probe)
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		var got unix.Stat_t
		if err := unix.Stat("/proc/"+e.Name()+"/exe", &got); err != nil || !sameFile(got, want) && !sameFile(got, mon) && !sameFile(got, pause) && !sameFile(got, init) && !sameFile(got, pull) && !sameFile(got, probe) {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	sort.Strings(out)
	return out
}

func isObjectsDir(p string) bool { return p == "/run/minipod/.objects" }

// walk lists the files below dir (objects kept on the node), not the
// directories, which stay.
func walk(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func sameFile(a, b unix.Stat_t) bool { return b.Ino != 0 && a.Dev == b.Dev && a.Ino == b.Ino }

func list(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}
