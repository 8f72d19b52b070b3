package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lib "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// standIn builds a fake cgroup2 tree: plain files where the kernel would
// have them, for the levels that exist before a pod is created.
func standIn(t *testing.T, controllers string, levels ...string) string {
	t.Helper()
	root := t.TempDir()
	dir := root
	for _, l := range append([]string{""}, levels...) {
		dir = filepath.Join(dir, l)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{"cgroup.controllers": controllers, "cgroup.subtree_control": "cpu\n"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// TestV2CreateStandIn: on cgroup v2, creating a container's cgroup makes
// each parent delegate the controllers it has but does not delegate yet
// (so limits can be set below), creates only what is missing, and
// Resolve names the same directory.
func TestV2CreateStandIn(t *testing.T) {
	// The library refuses files that are not on a cgroup filesystem,
	// except in its test mode, made for stand-ins like this one.
	lib.TestMode = true
	t.Cleanup(func() { lib.TestMode = false })
	mount := standIn(t, "cpu memory pids\n", "minipod", "podU")
	d := Driver{V2: true, Mount: mount}
	dirs, err := d.Create("/minipod/podU/app", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(mount, "minipod", "podU", "app")
	if dirs[""] != want || len(dirs) != 1 {
		t.Errorf("dirs = %v, want only %s", dirs, want)
	}
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Fatalf("leaf not created: %v", err)
	}
	for _, level := range []string{mount, filepath.Join(mount, "minipod"), filepath.Join(mount, "minipod", "podU")} {
		got, _ := os.ReadFile(filepath.Join(level, "cgroup.subtree_control"))
		if strings.TrimSpace(string(got)) != "+memory +pids" {
			t.Errorf("%s: subtree_control written %q, want the two missing controllers", level, got)
		}
	}
	if r, _ := d.Resolve("/minipod/podU/app"); r[""] != want {
		t.Errorf("Resolve = %v", r)
	}
	if _, err := d.Create("/minipod/../../escape", nil); err == nil {
		t.Error("a path outside the mount was accepted")
	}
}

// leafFiles lists the files of a stand-in cgroup directory with their
// contents.
func leafFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			out[e.Name()] = readFile(t, dir, e.Name())
		}
	}
	return out
}

// TestV2LimitsStandIn: on cgroup v2, Create writes exactly the limit files
// a container's resources ask for, with the kernel's syntax: memory+swap
// as memory.swap.max 0 (no swap beyond the limit), shares converted to a
// weight, quota and period in one cpu.max, hugepage limits for usage and
// reservations, and memory.oom.group from OOMGroup.
func TestV2LimitsStandIn(t *testing.T) {
	lib.TestMode = true
	t.Cleanup(func() { lib.TestMode = false })
	mount := standIn(t, "cpu memory pids hugetlb\n", "minipod", "podU", "app")
	leaf := filepath.Join(mount, "minipod", "podU", "app")
	if err := os.WriteFile(filepath.Join(leaf, "cpu.max"), []byte("max 100000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := Driver{V2: true, Mount: mount}
	res, err := d.OOMGroup(&specs.LinuxResources{
		Memory:         &specs.LinuxMemory{Limit: ptr[int64](20 * mib)},
		CPU:            &specs.LinuxCPU{Shares: ptr[uint64](102), Quota: ptr[int64](10000), Period: ptr[uint64](100000)},
		Pids:           &specs.LinuxPids{Limit: ptr[int64](10)},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create("/minipod/podU/app", res); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cgroup.controllers": "cpu memory pids hugetlb", "cgroup.subtree_control": "cpu",
		"memory.max": "20971520", "memory.swap.max": "0", "memory.oom.group": "1",
		"cpu.max": "10000 100000", "cpu.weight": "17", "pids.max": "10",
		"hugetlb.2MB.max": "4194304", "hugetlb.2MB.rsvd.max": "4194304",
	}
	checkFiles(t, leaf, want)

	// Update: a quota or a period alone keeps the other; a new memory
	// limit brings its swap limit along.
	for _, u := range []struct {
		res  specs.LinuxResources
		file string
		want string
	}{
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](25000)}}, "cpu.max", "25000 100000"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr[uint64](50000)}}, "cpu.max", "25000 50000"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](-1)}}, "cpu.max", "max 50000"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](40 * mib)}}, "memory.max", "41943040"},
		{specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](-1)}}, "pids.max", "max"},
	} {
		if u.file == "memory.max" { // the update must write it again
			if err := os.WriteFile(filepath.Join(leaf, "memory.swap.max"), []byte("max"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Update("/minipod/podU/app", &u.res); err != nil {
			t.Fatal(err)
		}
		want[u.file] = u.want
		checkFiles(t, leaf, want)
	}
}

func checkFiles(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := leafFiles(t, dir)
	for f, v := range want {
		if got[f] != v {
			t.Errorf("%s = %q, want %q", f, got[f], v)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("unexpected file %s = %q", f, got[f])
		}
	}
}

// TestV2MissingControllersStandIn: a limit whose controller the cgroup is
// not offered is refused, a hugepage limit dropped, and a pod's cgroup
// (resources not passed through OOMGroup) gets no memory.oom.group.
func TestV2MissingControllersStandIn(t *testing.T) {
	lib.TestMode = true
	t.Cleanup(func() { lib.TestMode = false })
	mount := standIn(t, "cpu\n", "minipod", "podU")
	d := Driver{V2: true, Mount: mount}
	huge := &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}}}
	if _, err := d.Create("/minipod/podU", huge); err != nil {
		t.Errorf("hugepage limit without hugetlb: %v", err)
	}
	checkFiles(t, filepath.Join(mount, "minipod", "podU"), map[string]string{"cgroup.controllers": "cpu", "cgroup.subtree_control": "cpu"})
	if res, _ := d.OOMGroup(huge); res != huge {
		t.Errorf("OOMGroup without a memory controller changed the resources: %+v", res)
	}
	mem := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](mib)}}
	_, err := d.Create("/minipod/podU", mem)
	if err == nil || !strings.Contains(err.Error(), "memory controller") {
		t.Errorf("memory limit without a memory controller: %v", err)
	}
}
