package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	lib "github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fscommon"
)

// Usage is what `minipod top` shows of a cgroup, with the kubelet's
// (cAdvisor's) definitions, so the numbers match `kubectl top pod
// --containers` on a node.
type Usage struct {
	// CPU is the CPU time the cgroup's processes (and its descendants')
	// have used since it was created, all cores together. A rate needs
	// two samples: (b.CPU - a.CPU) / wall time between them is in cores.
	CPU time.Duration
	// Memory is what the cgroup is charged for, page cache included (v1
	// memory.usage_in_bytes, v2 memory.current).
	Memory uint64
	// WorkingSet is Memory minus the inactive file cache, floored at 0:
	// the kubelet's memory usage, the one `kubectl top` shows and
	// eviction and OOM decisions are judged by.
	WorkingSet uint64
	// RSS is anonymous memory (v1 total_rss, v2 anon).
	RSS uint64
}

// Stats reads the resource usage of the cgroup at d. It needs the CPU
// accounting (v1 cpuacct, v2 cpu.stat, which every v2 cgroup has) and
// the memory controller; without one the error wraps
// errors.ErrUnsupported.
func Stats(d Dirs) (Usage, error) {
	var u Usage
	cpu, err := d.cpuUsage()
	if err == nil {
		u.CPU = cpu
		err = d.memoryUsage(&u)
	}
	if err != nil {
		return Usage{}, fmt.Errorf("read usage of cgroup %s: %w", anyDir(d), err)
	}
	return u, nil
}

// cpuUsage reads the cumulative CPU time.
func (d Dirs) cpuUsage() (time.Duration, error) {
	if dir, ok := d["cpuacct"]; ok {
		ns, err := fscommon.GetCgroupParamUint(dir, "cpuacct.usage")
		return time.Duration(ns), err
	}
	if dir, ok := d[""]; ok {
		us, err := keyedValue(dir, "cpu.stat", "usage_usec")
		return time.Duration(us) * time.Microsecond, err
	}
	return 0, fmt.Errorf("no CPU accounting: %w", errors.ErrUnsupported)
}

// memoryUsage reads usage, working set and RSS.
func (d Dirs) memoryUsage(u *Usage) error {
	dir, usage, inactive, rss := d["memory"], "memory.usage_in_bytes", "total_inactive_file", "total_rss"
	if v2, ok := d[""]; ok && dir == "" {
		dir, usage, inactive, rss = v2, "memory.current", "inactive_file", "anon"
	}
	if dir == "" {
		return errNoMemory
	}
	total, err := fscommon.GetCgroupParamUint(dir, usage)
	if errors.Is(err, fs.ErrNotExist) && exists(dir) {
		return errNoMemory
	}
	if err != nil {
		return err
	}
	stat, err := flatKeyed(dir, "memory.stat")
	if err != nil {
		return err
	}
	u.Memory, u.RSS = total, stat[rss]
	if in := stat[inactive]; in < total {
		u.WorkingSet = total - in
	}
	return nil
}

// flatKeyed reads a whole "key N" cgroup file.
func flatKeyed(dir, file string) (map[string]uint64, error) {
	data, err := lib.ReadFile(dir, file)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(data, "\n") {
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, k, err)
		}
		out[k] = n
	}
	return out, nil
}
