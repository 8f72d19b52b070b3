package cgroups

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	lib "github.com/opencontainers/cgroups"
)

// needs lists the controllers whose files r writes, sorted.
func needs(r *lib.Resources) []string {
	set := map[string]bool{
		"memory":  r.Memory != 0 || r.MemorySwap != 0,
		"cpu":     r.CpuShares != 0 || r.CpuWeight != 0 || r.CpuQuota != 0 || r.CpuPeriod != 0,
		"pids":    r.PidsLimit != nil,
		"hugetlb": len(r.HugetlbLimit) > 0,
	}
	for k := range r.Unified {
		c, _, _ := strings.Cut(k, ".")
		set[c] = true
	}
	var out []string
	for _, c := range slices.Sorted(maps.Keys(set)) {
		if set[c] {
			out = append(out, c)
		}
	}
	return out
}

// fit makes r what the cgroup's controllers can apply. Hugepage limits
// are dropped without a hugetlb controller, as the kubelet and containerd
// do (such a node has no hugepage accounting at all), and so are CPU
// shares/weight without a cpu controller: they are the CPU request, a
// relative weight that is not a limit, and every pod would get its
// minimum of 2 even when it asks for nothing. Any other limit without its
// controller is an error, rather than a container that runs unlimited.
func fit(r *lib.Resources, have map[string]bool) error {
	if !have["hugetlb"] {
		r.HugetlbLimit = nil
	}
	if !have["cpu"] {
		r.CpuShares, r.CpuWeight = 0, 0
	}
	for _, c := range needs(r) {
		if !have[c] {
			return fmt.Errorf("limits need the %s controller, which this cgroup hierarchy does not offer", c)
		}
	}
	return nil
}

// controllers are the controllers that can set limits in the cgroup at
// dirs: on v1 the hierarchies it is in, on v2 its cgroup.controllers
// (what its parent delegates).
func (d Driver) controllers(dirs Dirs) (map[string]bool, error) {
	have := map[string]bool{}
	if !d.V2 {
		for c := range dirs {
			have[c] = true
		}
		return have, nil
	}
	list, err := lib.ReadFile(dirs[""], "cgroup.controllers")
	if err != nil {
		return nil, err
	}
	for _, c := range strings.Fields(list) {
		have[c] = true
	}
	return have, nil
}

// swapAccountingV1 says whether the v1 memory controller accounts swap
// (memory.memsw.* exist only with CONFIG_MEMCG_SWAP and swapaccount on).
var swapAccountingV1 = sync.OnceValue(func() bool {
	roots, err := v1Roots()
	if err != nil || roots["memory"] == "" {
		return false
	}
	return exists(filepath.Join(roots["memory"], "memory.memsw.limit_in_bytes"))
})
