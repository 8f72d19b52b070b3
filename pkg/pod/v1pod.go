package pod

import (
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/state"
)

// v1Pod rebuilds the v1 Pod object, spec from the stored manifest and
// status from the state record, for `get -o json`.
func v1Pod(st *state.Pod) (*podspec.Pod, error) {
	p, err := roots.LoadManifest(st.Name)
	if err != nil {
		return nil, err
	}
	p.CreationTimestamp = podstatus.Timestamp(st.Created)
	if st.Bound {
		p.Spec.NodeName = nodeconfig.NodeName() // the binding's, as the scheduler sets it
	}
	p.Status = podstatus.V1(st)
	addMountStatuses(p)
	return p, nil
}

// addMountStatuses gives each container that was created its volume
// mounts, as the kubelet reports them. A read-only mount here is read-only
// all the way down (mounts.bind), whatever recursiveReadOnly asked: it is
// reported as Enabled, which is what it is.
func addMountStatuses(p *podspec.Pod) {
	specs := map[string]*podspec.Container{}
	for _, c := range p.Spec.AllContainers() {
		specs[c.Name] = c
	}
	for _, list := range [][]podspec.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for i := range list {
			cs := &list[i]
			c := specs[cs.Name]
			if c == nil || !created(cs) {
				continue
			}
			for _, vm := range c.VolumeMounts {
				ms := podspec.VolumeMountStatus{Name: vm.Name, MountPath: vm.MountPath, ReadOnly: vm.ReadOnly}
				if vm.ReadOnly {
					enabled := podspec.RecursiveReadOnlyEnabled
					ms.RecursiveReadOnly = &enabled
				}
				cs.VolumeMounts = append(cs.VolumeMounts, ms)
			}
		}
	}
}

// created reports whether a container was ever made: it runs, or ran.
func created(cs *podspec.ContainerStatus) bool {
	return cs.State.Running != nil || cs.State.Terminated != nil || cs.LastState.Terminated != nil
}
