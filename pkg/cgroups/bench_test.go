package cgroups

import (
	"fmt"
	"testing"

	"github.com/minipod/minipod/pkg/specconv"
	"github.com/minipod/minipod/pkg/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// BenchmarkCreateV1 is the cost of creating one container's cgroup on the
// real v1 hierarchies: with minipod's device allowlist only, and with a
// memory (and swap), CPU and pids limit besides. Removal is not timed.
func BenchmarkCreateV1(b *testing.B) {
	testutil.RequiresRoot(b)
	if _, err := v1Roots(); err != nil {
		b.Skipf("no cgroup v1 hierarchies: %v", err)
	}
	d := Driver{}
	pod := newPod(b, d)
	devices := &specs.LinuxResources{Devices: specconv.DeviceRules()}
	limited := &specs.LinuxResources{
		Devices: specconv.DeviceRules(),
		Memory:  &specs.LinuxMemory{Limit: ptr[int64](128 * mib)},
		CPU:     &specs.LinuxCPU{Shares: ptr[uint64](256), Quota: ptr[int64](50000), Period: ptr[uint64](100000)},
		Pids:    &specs.LinuxPids{Limit: ptr[int64](1024)},
	}
	for _, c := range []struct {
		name string
		res  *specs.LinuxResources
	}{{"devices", devices}, {"devices+limits", limited}, {"none", nil}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				path, err := Child(pod, fmt.Sprintf("%s-%d", c.name, i))
				if err != nil {
					b.Fatal(err)
				}
				dirs, err := d.Create(path, c.res)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := remove(dirs); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
