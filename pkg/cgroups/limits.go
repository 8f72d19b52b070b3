package cgroups

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	lib "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// limits converts the limits of the OCI resources (everything but device
// rules) into the library's. Every field is either applied or refused by
// name: a limit that is silently dropped is worse than a pod that does
// not start. swap says whether the kernel accounts swap (v1: the memsw
// files exist; v2 leaves that to the library, which tolerates no swap).
func limits(out *lib.Resources, r *specs.LinuxResources, v2, swap bool) error {
	if err := unsupported(r); err != nil {
		return err
	}
	if err := memoryLimits(out, r.Memory, swap); err != nil {
		return err
	}
	if err := cpuLimits(out, r.CPU, v2); err != nil {
		return err
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		// The OCI value: negative is no limit; the library writes 0 as
		// 1, the smallest limit the kernel enforces in the same way.
		l := max(*r.Pids.Limit, -1)
		out.PidsLimit = &l
	}
	for i, h := range r.HugepageLimits {
		if !pageSize().MatchString(h.Pagesize) {
			return fmt.Errorf("linux.resources.hugepageLimits[%d].pageSize %q is not a size like 2MB", i, h.Pagesize)
		}
		out.HugetlbLimit = append(out.HugetlbLimit, &lib.HugepageLimit{Pagesize: h.Pagesize, Limit: h.Limit})
	}
	return unified(out, r.Unified, v2)
}

// pageSize is how the kernel names huge page sizes in hugetlb.<size>.*
// files; it becomes part of a file name. Compiled on first use, not at
// the start-up of every minipod process.
var pageSize = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+[KMGT]B$`) })

// memoryLimits sets the memory limit and the memory+swap limit. Without an
// explicit swap limit, memory+swap is the memory limit: no swap beyond
// it, as containerd gives every Kubernetes container with a limit.
func memoryLimits(out *lib.Resources, m *specs.LinuxMemory, swap bool) error {
	if m == nil {
		return nil
	}
	if m.Limit != nil {
		if *m.Limit == 0 || *m.Limit < -1 {
			return fmt.Errorf("linux.resources.memory.limit %d: must be positive, or -1 for none", *m.Limit)
		}
		out.Memory = *m.Limit
	}
	if m.Swap == nil {
		if m.Limit != nil && *m.Limit > 0 && swap {
			out.MemorySwap = *m.Limit
		}
		return nil
	}
	s := *m.Swap
	switch {
	case s == 0 || s < -1:
		return fmt.Errorf("linux.resources.memory.swap %d: must be positive, or -1 for none", s)
	case !swap && (s == -1 || m.Limit != nil && s == *m.Limit):
		// Nothing to write: the kernel cannot account swap at all.
	case !swap:
		return fmt.Errorf("linux.resources.memory.swap %d: the kernel does not account swap", s)
	default:
		out.MemorySwap = s
	}
	return nil
}

// cpuLimits sets CPU shares (v2: the weight the library converts them
// to, as runc does), and the CFS quota and period in microseconds.
func cpuLimits(out *lib.Resources, c *specs.LinuxCPU, v2 bool) error {
	if c == nil {
		return nil
	}
	if c.Shares != nil {
		if *c.Shares == 0 {
			return fmt.Errorf("linux.resources.cpu.shares 0: must be positive")
		}
		if v2 {
			out.CpuWeight = lib.ConvertCPUSharesToCgroupV2Value(*c.Shares)
		} else {
			out.CpuShares = *c.Shares
		}
	}
	if c.Quota != nil {
		if *c.Quota == 0 || *c.Quota < -1 {
			return fmt.Errorf("linux.resources.cpu.quota %d: must be positive, or -1 for none", *c.Quota)
		}
		out.CpuQuota = *c.Quota
	}
	if c.Period != nil {
		if *c.Period == 0 {
			return fmt.Errorf("linux.resources.cpu.period 0: must be positive")
		}
		out.CpuPeriod = *c.Period
	}
	return nil
}

// unifiedKeys are the cgroup v2 files the OCI "unified" map may set: the
// ones the kubelet sends there (memory.oom.group, swap and memory QoS).
// Any other file, cgroup.* above all, is refused.
var unifiedKeys = map[string]bool{
	"memory.oom.group": true,
	"memory.swap.max":  true,
	"memory.high":      true,
	"memory.low":       true,
	"memory.min":       true,
}

func unified(out *lib.Resources, u map[string]string, v2 bool) error {
	if len(u) == 0 {
		return nil
	}
	if !v2 {
		return fmt.Errorf("linux.resources.unified: cgroup v2 files on a cgroup v1 host")
	}
	out.Unified = map[string]string{}
	for k, v := range u {
		if !unifiedKeys[k] {
			return fmt.Errorf("linux.resources.unified[%q]: not a file minipod sets", k)
		}
		if strings.ContainsAny(v, "\n\x00") || v == "" {
			return fmt.Errorf("linux.resources.unified[%q] = %q: not a single value", k, v)
		}
		out.Unified[k] = v
	}
	return nil
}

// unsupported names the first OCI resource field minipod does not apply.
func unsupported(r *specs.LinuxResources) error {
	set := map[string]bool{
		"blockIO": r.BlockIO != nil,
		"network": r.Network != nil,
		"rdma":    len(r.Rdma) > 0,
	}
	if m := r.Memory; m != nil {
		set["memory.reservation"] = m.Reservation != nil
		set["memory.kernel"] = m.Kernel != nil
		set["memory.kernelTCP"] = m.KernelTCP != nil
		set["memory.swappiness"] = m.Swappiness != nil
		set["memory.disableOOMKiller"] = m.DisableOOMKiller != nil
		set["memory.useHierarchy"] = m.UseHierarchy != nil
		set["memory.checkBeforeUpdate"] = m.CheckBeforeUpdate != nil
	}
	if c := r.CPU; c != nil {
		set["cpu.burst"] = c.Burst != nil
		set["cpu.realtimeRuntime"] = c.RealtimeRuntime != nil
		set["cpu.realtimePeriod"] = c.RealtimePeriod != nil
		set["cpu.cpus"] = c.Cpus != ""
		set["cpu.mems"] = c.Mems != ""
		set["cpu.idle"] = c.Idle != nil
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if set[name] {
			return fmt.Errorf("linux.resources.%s: not supported by minipod", name)
		}
	}
	return nil
}
