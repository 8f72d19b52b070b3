package podstatus

import "github.com/minipod/minipod/pkg/podspec"

// AddMounts gives every container's status its volume mounts, as the
// kubelet reports them from the spec for each container, created yet or
// not. A read-only mount here is read-only all the way down
// (mounts.bind), whatever recursiveReadOnly asked: it is reported as
// Enabled, which is what it is.
func AddMounts(spec *podspec.PodSpec, s *podspec.PodStatus) {
	byName := map[string]*podspec.Container{}
	for _, c := range spec.AllContainers() {
		byName[c.Name] = c
	}
	for _, list := range [][]podspec.ContainerStatus{s.InitContainerStatuses, s.ContainerStatuses} {
		for i := range list {
			if c := byName[list[i].Name]; c != nil {
				list[i].VolumeMounts = mountStatuses(c.VolumeMounts)
			}
		}
	}
}

func mountStatuses(mounts []podspec.VolumeMount) []podspec.VolumeMountStatus {
	var out []podspec.VolumeMountStatus
	for _, vm := range mounts {
		ms := podspec.VolumeMountStatus{Name: vm.Name, MountPath: vm.MountPath, ReadOnly: vm.ReadOnly}
		if vm.ReadOnly {
			enabled := podspec.RecursiveReadOnlyEnabled
			ms.RecursiveReadOnly = &enabled
		}
		out = append(out, ms)
	}
	return out
}
