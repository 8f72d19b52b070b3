package monitor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The kubelet's CFS numbers (pkg/kubelet/cm helpers_linux.go).
const (
	cfsPeriod = 100000 // µs: 100 ms
	minShares = 2
	minQuota  = 1000 // µs
)

// containerResources are the cgroup limits of a container as the kubelet
// asks the runtime for them: CPU request as shares, CPU limit as a CFS
// quota, memory limit, hugepage limits; on cgroup v2 the whole container
// is killed on OOM (memory.oom.group), as the kubelet's default is.
func (pe podEnv) containerResources(c *podspec.Container) (*specs.LinuxResources, error) {
	res, err := cgroupResources(c.Requests(), c.Limits())
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}
	return pe.driver.OOMGroup(res)
}

// podResources are what the pod's cgroup carries: the kubelet's pod
// limits (CgroupLimits) and requests, and the node's pids limit.
func podResources(p *podspec.Pod) (*specs.LinuxResources, error) {
	res, err := cgroupResources(p.EffectiveRequests(), p.CgroupLimits())
	if err != nil {
		return nil, err
	}
	pids, err := podPidsLimit()
	if err != nil {
		return nil, err
	}
	if pids > 0 {
		res.Pids = &specs.LinuxPids{Limit: &pids}
	}
	return res, nil
}

// cgroupResources converts requests and limits (cpu in millicores, the
// rest in bytes) to OCI resources.
func cgroupResources(req, lim podspec.ResourceAmounts) (*specs.LinuxResources, error) {
	shares := uint64(max(minShares, req[podspec.ResourceCPU]*1024/1000))
	res := &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}}
	if milli, ok := lim[podspec.ResourceCPU]; ok {
		quota, period := max(minQuota, milli*cfsPeriod/1000), uint64(cfsPeriod)
		res.CPU.Quota, res.CPU.Period = &quota, &period
	}
	if mem, ok := lim[podspec.ResourceMemory]; ok {
		res.Memory = &specs.LinuxMemory{Limit: &mem}
	}
	for name, bytes := range lim {
		if !strings.HasPrefix(name, podspec.ResourceHugePagesPrefix) {
			continue
		}
		size, err := podspec.HugePageSize(name)
		if err != nil {
			return nil, err
		}
		res.HugepageLimits = append(res.HugepageLimits, specs.LinuxHugepageLimit{Pagesize: pageSizeName(size), Limit: uint64(bytes)})
	}
	return res, nil
}

// pageSizeName writes a page size as the hugetlb controller names it
// (2MB, 1GB).
func pageSizeName(bytes int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if bytes >= u.size && bytes%u.size == 0 {
			return strconv.FormatInt(bytes/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(bytes, 10) + "B"
}

// podPidsLimit is the node setting pod-pids-limit, the kubelet's
// podPidsLimit: the most processes a pod may have; -1, the default, is
// no limit.
func podPidsLimit() (int64, error) { return nodeconfig.Int("pod-pids-limit", -1, -1, 1<<22) }
