package specconv

import (
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/mounts"
	"github.com/minipod/minipod/pkg/podspec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ctx() Context {
	return Context{
		Bundle: "/run/minipod/p/containers/c", Lowers: []string{"/base", "/img"}, Upper: "/l/upper", Work: "/l/work",
		Args: []string{"sh"}, Env: []string{"A=1"}, Cwd: "/", Hostname: "p",
		Volumes:  map[string]Volume{"data": {Dir: "/v/data"}, "cfg": {Dir: "/v/cfg", ReadOnly: true}},
		PodFiles: map[string]string{"/etc/hosts": "/run/p/hosts", "/dev/shm": "/run/p/shm"},
		PodNS:    map[string]string{"net": "/proc/9/ns/net", "ipc": "/proc/9/ns/ipc", "uts": "/proc/9/ns/uts"},
	}
}

func TestSpecMounts(t *testing.T) {
	c := &podspec.Container{Name: "c", VolumeMounts: []podspec.VolumeMount{
		{Name: "data", MountPath: "/a/b/c"},
		{Name: "cfg", MountPath: "/etc/nginx/nginx.conf", SubPath: "nginx.conf", ReadOnly: true},
		{Name: "data", MountPath: "/a"},
	}}
	s, err := Spec(c, ctx())
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, m := range s.Mounts {
		dests = append(dests, m.Destination)
	}
	got := strings.Join(dests, " ")
	want := "/proc /dev /dev/pts /dev/mqueue /sys /dev/shm /etc/hosts /a /a/b/c /etc/nginx/nginx.conf"
	if got != want {
		t.Errorf("mount order\n got %s\nwant %s", got, want)
	}
	last := s.Mounts[len(s.Mounts)-1]
	if strings.Join(last.Options, ",") != "rbind,ro,"+mounts.SubPathOption+"nginx.conf" || last.Source != "/v/cfg" {
		t.Errorf("subPath mount = %+v", last)
	}
	if s.Root.Path != "/run/minipod/p/containers/c/rootfs" || s.Annotations[mounts.AnnotationLower] != "/img:/base" {
		t.Errorf("root = %+v, annotations %v", s.Root, s.Annotations)
	}
	if len(s.Process.Capabilities.Bounding) != 14 {
		t.Errorf("caps = %v, want containerd's 14", s.Process.Capabilities.Bounding)
	}
}

func TestSpecSkipsPodFileTheContainerMounts(t *testing.T) {
	c := &podspec.Container{Name: "c", VolumeMounts: []podspec.VolumeMount{{Name: "data", MountPath: "/etc/hosts"}}}
	s, err := Spec(c, ctx())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range s.Mounts {
		if m.Destination == "/etc/hosts" {
			n++
			if m.Source != "/v/data" {
				t.Errorf("/etc/hosts from %s, want the volume", m.Source)
			}
		}
	}
	if n != 1 {
		t.Errorf("/etc/hosts mounted %d times", n)
	}
}

func TestSpecErrors(t *testing.T) {
	c := &podspec.Container{Name: "c"}
	x := ctx()
	x.Args = nil
	if _, err := Spec(c, x); err == nil || !strings.Contains(err.Error(), "no command") {
		t.Errorf("no args: err = %v", err)
	}
	c.VolumeMounts = []podspec.VolumeMount{{Name: "missing", MountPath: "/m"}}
	if _, err := Spec(c, ctx()); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("unknown volume: err = %v", err)
	}
}

func TestNamespaces(t *testing.T) {
	s, err := Spec(&podspec.Container{Name: "c"}, ctx())
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, n := range s.Linux.Namespaces {
		paths[string(n.Type)] = n.Path
	}
	if paths["network"] != "/proc/9/ns/net" || paths["pid"] != "" || paths["mount"] != "" {
		t.Errorf("namespaces = %v", paths)
	}
}

func TestReadOnlyVolumeStaysReadOnly(t *testing.T) {
	c := &podspec.Container{Name: "c", VolumeMounts: []podspec.VolumeMount{
		{Name: "cfg", MountPath: "/etc/app"},
		{Name: "data", MountPath: "/data"},
	}}
	s, err := Spec(c, ctx())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range s.Mounts {
		ro := strings.Contains(","+strings.Join(m.Options, ",")+",", ",ro,")
		switch m.Destination {
		case "/etc/app":
			if !ro {
				t.Errorf("configMap-like volume mounted writable: %v", m.Options)
			}
		case "/data":
			if ro {
				t.Errorf("emptyDir-like volume mounted read-only: %v", m.Options)
			}
		}
	}
}

func TestCgroupAndDevices(t *testing.T) {
	x := ctx()
	x.CgroupsPath = "/minipod/podU/c"
	x.Security.NoNewPrivileges = true
	s, err := Spec(&podspec.Container{Name: "c"}, x)
	if err != nil {
		t.Fatal(err)
	}
	if s.Linux.CgroupsPath != "/minipod/podU/c" || !s.Process.NoNewPrivileges {
		t.Errorf("cgroupsPath %q, noNewPrivileges %v", s.Linux.CgroupsPath, s.Process.NoNewPrivileges)
	}
	rules := s.Linux.Resources.Devices
	if len(rules) == 0 || rules[0].Allow || rules[0].Access != "rwm" || rules[0].Type != "" {
		t.Fatalf("device rules must start by denying everything: %+v", rules)
	}
	for _, r := range rules[1:] {
		if r.Type == "b" && r.Access != "m" {
			t.Errorf("a block device is allowed beyond mknod: %+v", r)
		}
	}
}

func TestHostNetworkNamespacesAreNotListed(t *testing.T) {
	x := ctx()
	x.PodNS = map[string]string{"ipc": "/proc/9/ns/ipc"}
	s, err := Spec(&podspec.Container{Name: "c"}, x)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[specs.LinuxNamespaceType]string{}
	for _, n := range s.Linux.Namespaces {
		listed[n.Type] = n.Path
	}
	if _, ok := listed[specs.NetworkNamespace]; ok {
		t.Errorf("a hostNetwork container lists a network namespace (a new one): %v", listed)
	}
	if _, ok := listed[specs.UTSNamespace]; ok {
		t.Errorf("a hostNetwork container lists a UTS namespace: %v", listed)
	}
	if p, ok := listed[specs.PIDNamespace]; !ok || p != "" {
		t.Errorf("pid namespace must be the container's own: %v", listed)
	}
}

// An image volume's bind says read-only, nosuid, nodev and noexec itself,
// whatever the volumeMount's readOnly.
func TestImageVolumeOptions(t *testing.T) {
	cx := ctx()
	cx.Volumes["img"] = Volume{Dir: "/v/img", ReadOnly: true, Image: true}
	c := &podspec.Container{Name: "c", VolumeMounts: []podspec.VolumeMount{{Name: "img", MountPath: "/img", SubPath: "dir"}}}
	s, err := Spec(c, cx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range s.Mounts {
		if m.Destination != "/img" {
			continue
		}
		got := "," + strings.Join(m.Options, ",") + ","
		for _, want := range []string{"ro", "nosuid", "nodev", "noexec", mounts.SubPathOption + "dir"} {
			if !strings.Contains(got, ","+want+",") {
				t.Errorf("image volume mount options %v lack %s", m.Options, want)
			}
		}
		return
	}
	t.Fatal("no mount at /img")
}
