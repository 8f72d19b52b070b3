package monitor

import (
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

// madeCgroup is a container's cgroup being created: dirs and err are set
// once done is closed.
type madeCgroup struct {
	done chan struct{}
	dirs cgroups.Dirs
	err  error
}

// makeContainerCgroups starts creating every container's cgroup, one after
// the other on a goroutine (a few mkdirs and, mostly, the device rules'
// writes in every hierarchy: 1-2 ms each), while pause starts and the
// network is attached; each start takes its own (containerCgroup) when
// it is made. (One goroutine each made up -d no faster: the kernel's
// work is what there is, and two cores.)
func (mon *monitor) makeContainerCgroups() {
	var jobs []func()
	for _, c := range mon.ctrs {
		path, err := cgroups.Child(mon.st.Cgroup.Path, c.spec.Name)
		var res *specs.LinuxResources
		if err == nil {
			res, err = mon.pe.containerResources(c.spec)
		}
		if err != nil {
			continue // the start makes it, and reports the error
		}
		res.Devices = specconv.DeviceRules()
		m := &madeCgroup{done: make(chan struct{})}
		c.made = m
		jobs = append(jobs, func() {
			defer close(m.done)
			m.dirs, m.err = mon.driver.Create(path, res)
		})
	}
	go func() {
		for _, job := range jobs {
			job()
		}
	}()
}

// awaitCgroups waits until makeContainerCgroups has created them all:
// nothing of the pod may be made once boot is over, or failed.
func (mon *monitor) awaitCgroups() {
	for _, c := range mon.ctrs {
		if c.made != nil {
			<-c.made.done
		}
	}
}

// containerCgroup creates (once) the cgroup of c as its spec names it, and
// opens it for placing the next instance.
func (mon *monitor) containerCgroup(c *ctr, spec *specs.Spec) (*cgroups.Placement, error) {
	if c.cgroup == nil && c.made != nil {
		<-c.made.done
		c.cgroup = c.made.dirs // on error nil: made again below, which reports it
	}
	if c.cgroup == nil {
		dirs, err := mon.driver.Create(spec.Linux.CgroupsPath, spec.Linux.Resources)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", c.spec.Name, err)
		}
		c.cgroup = dirs
	}
	return cgroups.Place(c.cgroup)
}
