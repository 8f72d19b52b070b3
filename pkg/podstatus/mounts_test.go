package podstatus

import (
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
)

// TestAddMounts: every container listed, init and app, created or not,
// gets its mounts; a read-only one is reported recursively so.
func TestAddMounts(t *testing.T) {
	spec := &podspec.PodSpec{
		InitContainers: []podspec.Container{{Name: "init", VolumeMounts: []podspec.VolumeMount{{Name: "v", MountPath: "/v"}}}},
		Containers: []podspec.Container{{Name: "app", VolumeMounts: []podspec.VolumeMount{
			{Name: "v", MountPath: "/ro", ReadOnly: true}, {Name: "v", MountPath: "/rw"}}}},
	}
	s := &podspec.PodStatus{
		InitContainerStatuses: []podspec.ContainerStatus{{Name: "init"}},
		ContainerStatuses:     []podspec.ContainerStatus{{Name: "app", State: podspec.ContainerState{Waiting: &podspec.ContainerStateWaiting{Reason: "PodInitializing"}}}},
	}
	AddMounts(spec, s)
	if m := s.InitContainerStatuses[0].VolumeMounts; len(m) != 1 || m[0].MountPath != "/v" || m[0].RecursiveReadOnly != nil {
		t.Errorf("init container's mounts %+v", m)
	}
	m := s.ContainerStatuses[0].VolumeMounts
	if len(m) != 2 || !m[0].ReadOnly || m[0].RecursiveReadOnly == nil || *m[0].RecursiveReadOnly != "Enabled" || m[1].ReadOnly || m[1].RecursiveReadOnly != nil {
		t.Errorf("app container's mounts %+v, want /ro read-only recursively, /rw writable", m)
	}
}
