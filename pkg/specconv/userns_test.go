package specconv

import (
	"slices"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSpecInUserNS(t *testing.T) {
	c := ctx()
	c.PodNS["user"] = "/proc/9/fd/7"
	c.UserNS = specs.LinuxIDMapping{HostID: 131072, Size: 65536}
	c.Volumes["iv"] = Volume{Dir: "/v/iv", Image: true}
	ctr := &podspec.Container{Name: "c", VolumeMounts: []podspec.VolumeMount{{Name: "iv", MountPath: "/iv"}, {Name: "data", MountPath: "/data"}}}
	s, err := Spec(ctr, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Linux.Namespaces[0] != (specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/9/fd/7"}) {
		t.Errorf("first namespace = %+v, want the pod's user namespace", s.Linux.Namespaces[0])
	}
	want := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 131072, Size: 65536}}
	if !slices.Equal(s.Linux.UIDMappings, want) || !slices.Equal(s.Linux.GIDMappings, want) {
		t.Errorf("mappings = %v %v", s.Linux.UIDMappings, s.Linux.GIDMappings)
	}
	opts := map[string][]string{}
	for _, m := range s.Mounts {
		opts[m.Destination] = m.Options
	}
	if o := opts["/dev"]; !slices.Contains(o, "uid=131072") || !slices.Contains(o, "gid=131072") {
		t.Errorf("/dev options = %v: not owned by the namespace's root", o)
	}
	for _, dst := range []string{"/etc/hosts", "/data"} {
		if o := opts[dst]; !slices.Contains(o, "ridmap") {
			t.Errorf("%s options = %v: not idmapped", dst, o)
		}
	}
	// The monitor stacks an image volume from idmapped layers already.
	if o := opts["/iv"]; slices.Contains(o, "ridmap") {
		t.Errorf("image volume options = %v: idmapped twice", o)
	}
	if o := opts["/dev/pts"]; !slices.Contains(o, "gid=131077") || !slices.Contains(o, "uid=131072") || slices.Contains(o, "gid=5") {
		t.Errorf("/dev/pts options = %v: tty group not mapped", o)
	}
}

func TestSpecUserNSNotHeld(t *testing.T) {
	c := ctx()
	c.UserNS = specs.LinuxIDMapping{HostID: 131072, Size: 65536}
	if _, err := Spec(&podspec.Container{Name: "c"}, c); err == nil {
		t.Fatal("a pod with ids of its own but no user namespace held got a spec")
	}
}

func TestSpecWithoutUserNS(t *testing.T) {
	s, err := Spec(&podspec.Container{Name: "c"}, ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Linux.UIDMappings) != 0 || s.Linux.Namespaces[0].Type == specs.UserNamespace {
		t.Errorf("a pod of the host's users got a user namespace: %+v", s.Linux)
	}
	for _, m := range s.Mounts {
		if m.Destination == "/dev/pts" && !slices.Contains(m.Options, "gid=5") {
			t.Errorf("/dev/pts options = %v", m.Options)
		}
	}
}

func TestUnmaskedProc(t *testing.T) {
	c := ctx()
	c.Security.UnmaskedProc = true
	s, err := Spec(&podspec.Container{Name: "c"}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Linux.MaskedPaths)+len(s.Linux.ReadonlyPaths) != 0 {
		t.Errorf("procMount Unmasked kept %v and %v", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
}
