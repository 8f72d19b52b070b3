package cgroups

import (
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestUpdateV1: Update raises and lowers limits (memory+swap following
// memory in the order the kernel accepts), keeps what it is not given, and
// never touches the device rules.
func TestUpdateV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	res := allow()
	res.Memory = &specs.LinuxMemory{Limit: ptr[int64](20 * mib)}
	res.CPU = &specs.LinuxCPU{Quota: ptr[int64](10000), Period: ptr[uint64](100000)}
	res.Pids = &specs.LinuxPids{Limit: ptr[int64](10)}
	dirs := newChild(t, d, pod, "app", res)
	devices := readFile(t, dirs["devices"], "devices.list")
	path, _ := Child(pod, "app")

	update := func(r *specs.LinuxResources, want map[string]string) {
		t.Helper()
		if err := d.Update(path, r); err != nil {
			t.Fatal(err)
		}
		for key, v := range want {
			ctrl, file, _ := strings.Cut(key, "/")
			if got := readFile(t, dirs[ctrl], file); got != v {
				t.Errorf("%s = %s, want %s", key, got, v)
			}
		}
		if got := readFile(t, dirs["devices"], "devices.list"); got != devices {
			t.Errorf("Update changed the device rules to %q", got)
		}
	}
	memsw := func(n int) map[string]string {
		m := map[string]string{"memory/memory.limit_in_bytes": strconv.Itoa(n)}
		if swapAccountingV1() {
			m["memory/memory.memsw.limit_in_bytes"] = strconv.Itoa(n)
		}
		return m
	}
	update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](40 * mib)}}, memsw(40*mib))
	update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](10 * mib)}}, memsw(10*mib))
	update(&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](25000)}},
		map[string]string{"cpu/cpu.cfs_quota_us": "25000", "cpu/cpu.cfs_period_us": "100000", "pids/pids.max": "10"})
	update(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](-1)}, CPU: &specs.LinuxCPU{Period: ptr[uint64](50000)}},
		map[string]string{"pids/pids.max": "max", "cpu/cpu.cfs_period_us": "50000", "cpu/cpu.cfs_quota_us": "25000"})
	update(&specs.LinuxResources{}, memsw(10*mib))

	if !strings.Contains(devices, "c 1:3 rwm") || strings.Contains(devices, "a *:*") {
		t.Errorf("the container's device rules were not applied: %q", devices)
	}
	if err := d.Update(pod+"/missing", res); err == nil {
		t.Error("Update of a cgroup that does not exist succeeded")
	}
}

// TestHugepagesV1: hugepage limits are written to the v1 hugetlb
// hierarchy, or, without one, dropped rather than failing the container,
// as the kubelet and containerd do.
func TestHugepagesV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	res := &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}}}
	dirs := newChild(t, d, pod, "huge", res)
	roots, _ := v1Roots()
	if roots["hugetlb"] == "" {
		t.Log("no v1 hugetlb hierarchy here: the limit was dropped")
		if _, ok := dirs["hugetlb"]; ok {
			t.Errorf("dirs name a hugetlb cgroup on a host without the hierarchy: %v", dirs)
		}
		return
	}
	if got := readFile(t, dirs["hugetlb"], "hugetlb.2MB.limit_in_bytes"); got != strconv.Itoa(4*mib) {
		t.Errorf("hugetlb.2MB.limit_in_bytes = %s", got)
	}
}
