package cgroups

import (
	"strings"
	"testing"

	lib "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestLimitsConversion: what each OCI limit becomes for the library, on
// v1 and v2, with and without swap accounting.
func TestLimitsConversion(t *testing.T) {
	mem := func(limit, swap *int64) *specs.LinuxResources {
		return &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: limit, Swap: swap}}
	}
	for _, c := range []struct {
		name     string
		res      *specs.LinuxResources
		v2, swap bool
		want     lib.Resources
	}{
		{"no swap beyond the limit", mem(ptr[int64](mib), nil), false, true, lib.Resources{Memory: mib, MemorySwap: mib}},
		{"no swap accounting", mem(ptr[int64](mib), nil), false, false, lib.Resources{Memory: mib}},
		{"swap equal to the limit, unaccounted", mem(ptr[int64](mib), ptr[int64](mib)), false, false, lib.Resources{Memory: mib}},
		{"explicit swap", mem(ptr[int64](mib), ptr[int64](2*mib)), false, true, lib.Resources{Memory: mib, MemorySwap: 2 * mib}},
		{"no memory limit", mem(ptr[int64](-1), nil), true, true, lib.Resources{Memory: -1}},
		{"shares v1", &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](1024)}}, false, true, lib.Resources{CpuShares: 1024}},
		{"shares v2", &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](1024)}}, true, true, lib.Resources{CpuWeight: 100}},
		{"quota", &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](5000), Period: ptr[uint64](50000)}}, true, true, lib.Resources{CpuQuota: 5000, CpuPeriod: 50000}},
		{"pids", &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](7)}}, false, true, lib.Resources{PidsLimit: ptr[int64](7)}},
		{"no pids limit", &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](-5)}}, false, true, lib.Resources{PidsLimit: ptr[int64](-1)}},
	} {
		var got lib.Resources
		if err := limits(&got, c.res, c.v2, c.swap); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.Memory != c.want.Memory || got.MemorySwap != c.want.MemorySwap || got.CpuShares != c.want.CpuShares ||
			got.CpuWeight != c.want.CpuWeight || got.CpuQuota != c.want.CpuQuota || got.CpuPeriod != c.want.CpuPeriod ||
			(got.PidsLimit == nil) != (c.want.PidsLimit == nil) || got.PidsLimit != nil && *got.PidsLimit != *c.want.PidsLimit {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestLimitsRefused: what minipod does not apply is refused by name.
func TestLimitsRefused(t *testing.T) {
	for _, c := range []struct {
		res  specs.LinuxResources
		v2   bool
		want string
	}{
		{specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{}}, true, "blockIO"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0"}}, false, "cpu.cpus"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr[uint64](0)}}, false, "memory.swappiness"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](0)}}, false, "memory.limit 0"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](mib), Swap: ptr[int64](2 * mib)}}, false, "does not account swap"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](0)}}, false, "cpu.quota 0"},
		{specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB/../x"}}}, true, "pageSize"},
		{specs.LinuxResources{Unified: map[string]string{"memory.oom.group": "1"}}, false, "cgroup v1"},
		{specs.LinuxResources{Unified: map[string]string{"cgroup.procs": "1"}}, true, "not a file minipod sets"},
		{specs.LinuxResources{Unified: map[string]string{"memory.high": "1\n2"}}, true, "single value"},
	} {
		err := limits(&lib.Resources{}, &c.res, c.v2, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want one naming %q", c.res, err, c.want)
		}
	}
}
