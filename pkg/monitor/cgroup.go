package monitor

import (
	"errors"
	"fmt"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/specconv"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// makePodCgroup creates the pod's cgroup and the leaf pause is born in,
// recording the pod's cgroup first so that `down` finds it whatever
// happens next.
func (mon *monitor) makePodCgroup() (*cgroups.Placement, error) {
	d, err := cgroups.Detect()
	if err != nil {
		return nil, err
	}
	path, err := cgroups.PodPath(mon.pod.UID)
	if err != nil {
		return nil, err
	}
	mon.driver = d
	mon.st.Cgroup = state.Cgroup{Path: path, V2: d.V2, Mount: d.Mount}
	mon.save()
	// The pod's cgroup itself comes with its first child: it carries no
	// settings of its own yet.
	place, err := mon.pauseCgroup()
	if err != nil {
		return nil, err
	}
	// The pod's limits go on before any container's: on v1 a child's CPU
	// quota may not exceed its parent's.
	res, err := podResources(mon.pod)
	if err == nil {
		err = d.Update(path, res)
	}
	if err != nil {
		place.Close()
		return nil, err
	}
	return place, nil
}

// pauseCgroup makes (or finds again, for a new sandbox) the leaf pause
// is born in, and opens it for the fork.
func (mon *monitor) pauseCgroup() (*cgroups.Placement, error) {
	leaf, err := cgroups.Child(mon.st.Cgroup.Path, cgroups.PauseName)
	if err != nil {
		return nil, err
	}
	// No device rules for pause: it is minipod's own code and drops every
	// capability once the namespaces are set up, and writing the rules is
	// most of what creating a cgroup costs.
	dirs, err := mon.driver.Create(leaf, nil)
	if err != nil {
		return nil, err
	}
	return cgroups.Place(dirs)
}

// makeContainerCgroups creates every container's cgroup in the background
// (each is a few mkdirs and writes per hierarchy), while the pod's network
// is being set up; wait returns the first error.
func (mon *monitor) makeContainerCgroups() (wait func() error) {
	errc := make(chan error, 1)
	go func() {
		var errs []error
		for _, c := range mon.ctrs {
			errs = append(errs, mon.makeContainerCgroup(c))
		}
		errc <- errors.Join(errs...)
	}()
	return func() error { return <-errc }
}

// makeContainerCgroup creates c's cgroup with its limits and the device
// allowlist.
func (mon *monitor) makeContainerCgroup(c *ctr) error {
	path, err := cgroups.Child(mon.st.Cgroup.Path, c.spec.Name)
	if err != nil {
		return err
	}
	res, err := mon.pe.containerResources(c.spec)
	if err != nil {
		return err
	}
	res.Devices = specconv.DeviceRules()
	c.cgroup, err = mon.driver.Create(path, res)
	return err
}

// containerCgroup creates (once) the cgroup of c as its spec names it, and
// opens it for placing the next instance.
func (mon *monitor) containerCgroup(c *ctr, spec *specs.Spec) (*cgroups.Placement, error) {
	if c.cgroup == nil {
		dirs, err := mon.driver.Create(spec.Linux.CgroupsPath, spec.Linux.Resources)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", c.spec.Name, err)
		}
		c.cgroup = dirs
	}
	return cgroups.Place(c.cgroup)
}
