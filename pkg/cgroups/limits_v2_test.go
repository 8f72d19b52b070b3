package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v2Host is the driver of the host's real cgroup2 mount, and the
// controllers that mount offers. On a hybrid host (this package's usual
// test machine) that is the controller-less /sys/fs/cgroup/unified, where
// only hugetlb may be offered: the tests then check that limits without
// a controller are refused, and run the rest where the kernel can.
func v2Host(t *testing.T) (Driver, map[string]bool) {
	t.Helper()
	testutil.RequiresRoot(t)
	mount := unifiedMount
	if !isCgroup2(mount) {
		mount = hybridMount
	}
	if !isCgroup2(mount) {
		t.Skip("no cgroup2 mount on this host")
	}
	d := Driver{V2: true, Mount: mount}
	have, err := d.controllers(Dirs{"": mount})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cgroup2 at %s offers %v", mount, have)
	return d, have
}

// TestLimitsV2: each limit is written to its file when the hierarchy
// offers its controller, and refused, naming the controller, with nothing
// left behind, when it does not.
func TestLimitsV2(t *testing.T) {
	d, have := v2Host(t)
	pod := newPod(t, d)
	cases := []struct {
		ctrl, file, want string
		res              specs.LinuxResources
	}{
		{"memory", "memory.max", strconv.Itoa(20 * mib), specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](20 * mib)}}},
		{"cpu", "cpu.max", "10000 100000", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](10000), Period: ptr[uint64](100000)}}},
		{"pids", "pids.max", "4", specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](4)}}},
		{"hugetlb", "hugetlb.2MB.max", strconv.Itoa(4 * mib), specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}}}},
	}
	for _, c := range cases {
		path, _ := Child(pod, c.ctrl)
		dirs, err := d.Create(path, &c.res)
		switch {
		case have[c.ctrl]:
			if err != nil {
				t.Errorf("%s: %v", c.ctrl, err)
			} else if got := readFile(t, dirs[""], c.file); got != c.want {
				t.Errorf("%s = %s, want %s", c.file, got, c.want)
			}
		case c.ctrl == "hugetlb":
			if err != nil {
				t.Errorf("hugepage limits without a hugetlb controller: %v, want them dropped", err)
			}
		default:
			if err == nil || !strings.Contains(err.Error(), "the "+c.ctrl+" controller") {
				t.Errorf("%s limit without the controller: %v", c.ctrl, err)
			}
			if _, serr := os.Stat(filepath.Join(d.Mount, path)); !os.IsNotExist(serr) {
				t.Errorf("a refused Create left %s: %v", path, serr)
			}
		}
	}
}

// TestOOMV2: OOMGroup asks for group kills exactly when the hierarchy has
// a memory controller; OOMKills counts an OOM kill there, and says
// "unsupported" without one.
func TestOOMV2(t *testing.T) {
	d, have := v2Host(t)
	pod := newPod(t, d)
	res := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](20 * mib)}}
	got, err := d.OOMGroup(res)
	if err != nil {
		t.Fatal(err)
	}
	if want := have["memory"]; (got.Unified["memory.oom.group"] == "1") != want || res.Unified != nil {
		t.Fatalf("OOMGroup = %v with a memory controller: %v; input changed: %v", got.Unified, want, res.Unified)
	}
	if !have["memory"] {
		dirs := newChild(t, d, pod, "app", nil)
		if _, err := OOMKills(dirs); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("OOMKills without a memory controller: %v", err)
		}
		return
	}
	dirs := newChild(t, d, pod, "hog", got)
	if v := readFile(t, dirs[""], "memory.oom.group"); v != "1" {
		t.Errorf("memory.oom.group = %s", v)
	}
	before := oomKills(t, dirs)
	var out strings.Builder
	if err := startHelper(t, dirs, &out, "alloc").Wait(); !killedBySIGKILL(err) {
		t.Fatalf("the 100 MiB allocation was not killed: %v: %s", err, out.String())
	}
	if after := oomKills(t, dirs); after <= before {
		t.Errorf("OOMKills = %d before, %d after an OOM kill", before, after)
	}
}

// TestStatsV2: CPU time comes from cpu.stat, which every v2 cgroup has;
// memory needs the memory controller, and Stats says "unsupported"
// without one.
func TestStatsV2(t *testing.T) {
	d, have := v2Host(t)
	pod := newPod(t, d)
	dirs := newChild(t, d, pod, "spin", nil)
	var out strings.Builder
	startHelper(t, dirs, &out, "spin")
	var cpu time.Duration
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cpu, err = dirs.cpuUsage(); err != nil || cpu >= 50*time.Millisecond {
			break
		}
	}
	if err != nil || cpu < 50*time.Millisecond || cpu > time.Minute {
		t.Errorf("CPU time of a busy loop: %v, %v", cpu, err)
	}
	u, err := Stats(dirs)
	if !have["memory"] {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Stats without a memory controller: %+v, %v", u, err)
		}
		return
	}
	if err != nil || u.CPU < cpu || u.Memory == 0 || u.WorkingSet > u.Memory {
		t.Errorf("Stats = %+v, %v", u, err)
	}
}
