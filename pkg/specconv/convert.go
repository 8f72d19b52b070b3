package specconv

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/minipod/minipod/pkg/mounts"
	"github.com/minipod/minipod/pkg/podspec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Context is what the pod's runtime knows beyond the manifest.
type Context struct {
	Bundle   string   // the container's bundle dir; the root is mounted at Bundle/rootfs
	Lowers   []string // image layers, lowest first (overlay lowerdirs)
	Upper    string   // the container's writable layer
	Work     string   // overlay's work dir, on the same filesystem as Upper
	Env      []string
	Args     []string
	Cwd      string
	Hostname string
	// Security is how the process is confined (securityContext, resolved).
	Security Security
	// Resources are the container's cgroup limits (memory, CPU, pids,
	// hugepages); the device rules are added here.
	Resources *specs.LinuxResources
	// Volumes maps a volume name to its directory on the host.
	Volumes map[string]Volume
	// CgroupsPath is the container's cgroup, below each hierarchy's root.
	CgroupsPath string
	// PodFiles maps /etc/hosts, /etc/hostname, /etc/resolv.conf and /dev/shm
	// to the pod's shared host-side files or directories.
	PodFiles map[string]string
	// PodNS maps namespace kinds shared with the pod to their /proc paths.
	PodNS map[string]string
	// UserNS is the host ids the pod's user namespace (PodNS["user"], with
	// hostUsers: false) maps from 0.
	UserNS specs.LinuxIDMapping
	// HostPID: the container shares the node's PID namespace (hostPID).
	HostPID bool
	// HostDevices are the node's devices, which a privileged container
	// gets as nodes in its /dev.
	HostDevices []specs.LinuxDevice
	// TerminationLog is the host file bound at the container's
	// terminationMessagePath, fresh for each instance.
	TerminationLog string
}

// Volume is one pod volume as containers mount it.
type Volume struct {
	Dir string // on the host
	// ReadOnly volumes (configMap, and later secret, downwardAPI,
	// projected) are mounted read-only whatever the volumeMount says: the
	// kubelet's content, never the container's to change.
	ReadOnly bool
	// Image volumes are also nosuid, nodev and noexec in every container.
	// The monitor's mount of the image has those flags already, and a
	// bind's clone keeps them; the container's config says so too, so
	// that its mount does not depend on how the source was made.
	Image bool
}

// Spec builds the OCI config of container c.
func Spec(c *podspec.Container, ctx Context) (*specs.Spec, error) {
	if len(ctx.Args) == 0 {
		return nil, fmt.Errorf("container %s: no command: the image has no entrypoint or cmd and the pod sets no command", c.Name)
	}
	vols, err := volumeMounts(c, ctx.Volumes)
	if err != nil {
		return nil, err
	}
	sec := ctx.Security
	s := &specs.Spec{
		Version:  specs.Version,
		Hostname: ctx.Hostname,
		Root:     &specs.Root{Path: path.Join(ctx.Bundle, "rootfs"), Readonly: sec.ReadOnlyRoot},
		Process: &specs.Process{
			Args:            ctx.Args,
			Env:             ctx.Env,
			Cwd:             ctx.Cwd,
			User:            sec.User,
			Capabilities:    sec.capabilities(),
			NoNewPrivileges: sec.NoNewPrivileges,
			OOMScoreAdj:     sec.OOMScoreAdj,
			Terminal:        c.TTY,
		},
		Annotations: map[string]string{
			mounts.AnnotationLower: lowerdir(ctx.Lowers),
			mounts.AnnotationUpper: ctx.Upper,
			mounts.AnnotationWork:  ctx.Work,
		},
		Linux: &specs.Linux{
			Namespaces:    namespaces(ctx.PodNS, ctx.HostPID),
			Devices:       Devices,
			CgroupsPath:   ctx.CgroupsPath,
			Resources:     resources(ctx.Resources),
			MaskedPaths:   MaskedPaths,
			ReadonlyPaths: ReadonlyPaths,
		},
	}
	s.Mounts = append(baseMounts(), podMounts(c, ctx.PodFiles, ctx.Security.ReadOnlyRoot)...)
	s.Mounts = append(s.Mounts, vols...)
	if ctx.TerminationLog != "" && c.TerminationMessagePath != "" {
		// After the volumes, as the kubelet orders it: the file may be
		// meant to land inside one.
		s.Mounts = append(s.Mounts, specs.Mount{Destination: c.TerminationMessagePath, Type: "bind", Source: ctx.TerminationLog, Options: []string{"rbind"}})
	}
	if sec.Privileged {
		privilege(s, ctx.HostDevices)
	}
	if sec.UnmaskedProc {
		s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
	}
	switch {
	case ctx.PodNS["user"] != "":
		inUserNS(s, ctx.UserNS, ctx.Volumes)
	case ctx.UserNS.Size != 0:
		// Never the host's users for a pod that asked for its own.
		return nil, fmt.Errorf("container %s: the pod's user namespace is not held", c.Name)
	}
	return s, nil
}

// resources adds the device allowlist to the container's limits.
func resources(r *specs.LinuxResources) *specs.LinuxResources {
	out := &specs.LinuxResources{}
	if r != nil {
		*out = *r
	}
	out.Devices = DeviceRules()
	return out
}

// lowerdir is overlayfs' lowerdir option: layers separated by ':', the
// top-most first (the image lists them lowest first).
func lowerdir(layers []string) string {
	top := make([]string, len(layers))
	for i, l := range layers {
		top[len(layers)-1-i] = l
	}
	return strings.Join(top, ":")
}

// namespaces is the container's namespace list, the one place that says
// which it joins (the pod's, from pause: a path) and which it gets new (no
// path). A kind the pod does not have (net and uts with hostNetwork) is not
// listed, which in the OCI spec means the node's. Mount namespaces are
// always the container's own, and so is the PID namespace unless the pod
// shares one.
func namespaces(pod map[string]string, hostPID bool) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, k := range []struct {
		kind string
		t    specs.LinuxNamespaceType
	}{{"user", specs.UserNamespace}, {"net", specs.NetworkNamespace}, {"ipc", specs.IPCNamespace}, {"uts", specs.UTSNamespace}} {
		if p := pod[k.kind]; p != "" {
			out = append(out, specs.LinuxNamespace{Type: k.t, Path: p})
		}
	}
	if !hostPID {
		out = append(out, specs.LinuxNamespace{Type: specs.PIDNamespace, Path: pod["pid"]})
	}
	return append(out, specs.LinuxNamespace{Type: specs.MountNamespace})
}

// podMounts binds the pod-wide files, unless the container mounts a volume
// at the same place itself (the kubelet skips /etc/hosts in that case too).
// With a read-only root, /etc/hostname and /etc/resolv.conf are read-only
// too, as containerd mounts them; /etc/hosts and /dev/shm stay writable.
func podMounts(c *podspec.Container, files map[string]string, readOnlyRoot bool) []specs.Mount {
	own := map[string]bool{}
	for _, vm := range c.VolumeMounts {
		own[path.Clean(vm.MountPath)] = true
	}
	var out []specs.Mount
	for _, dst := range []string{"/dev/shm", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"} {
		src, ok := files[dst]
		if !ok || own[dst] {
			continue
		}
		opts := []string{"rbind"}
		if readOnlyRoot && (dst == "/etc/hostname" || dst == "/etc/resolv.conf") {
			opts = append(opts, "ro")
		}
		out = append(out, specs.Mount{Destination: dst, Type: "bind", Source: src, Options: opts})
	}
	return out
}

// volumeMounts converts the container's volumeMounts, parents before
// children so a mount at /a never hides one at /a/b.
func volumeMounts(c *podspec.Container, vols map[string]Volume) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, vm := range c.VolumeMounts {
		v, ok := vols[vm.Name]
		if !ok {
			return nil, fmt.Errorf("container %s: volume %q has no directory", c.Name, vm.Name)
		}
		src := v.Dir
		opts := []string{"rbind"}
		if vm.ReadOnly || v.ReadOnly {
			opts = append(opts, "ro")
		}
		if v.Image {
			opts = append(opts, "nosuid", "nodev", "noexec")
		}
		if vm.SubPath != "" {
			opts = append(opts, mounts.SubPathOption+vm.SubPath)
		}
		out = append(out, specs.Mount{Destination: path.Clean(vm.MountPath), Type: "bind", Source: src, Options: opts})
	}
	sort.SliceStable(out, func(i, j int) bool { return depth(out[i].Destination) < depth(out[j].Destination) })
	return out, nil
}

func depth(p string) int { return strings.Count(path.Clean(p), "/") }
