package podspec

import (
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
)

// containerChecks are the per-container rules; each gets the container's
// field path (spec.containers[i] or spec.initContainers[i]).
var containerChecks = []func(c *podContext, ctr *Container, path string) []error{
	checkImage,
	checkPolicies,
	checkContainerRestartPolicy,
	checkPorts,
	checkEnv,
	checkEnvFrom,
	checkVolumeMounts,
	checkResources,
	checkResizePolicy,
	checkContainerSecurity,
	checkProbes,
	checkLifecycle,
}

func checkContainers(c *podContext) []error {
	var errs errList
	forEachContainer(&c.pod.Spec, func(path string, ctr *Container) {
		for _, check := range containerChecks {
			errs.add(check(c, ctr, path)...)
		}
	})
	return errs
}

func checkImage(_ *podContext, ctr *Container, path string) []error {
	switch {
	case ctr.Image == "":
		return []error{required(path+".image", "")}
	case strings.TrimSpace(ctr.Image) != ctr.Image:
		// Any other name is the kubelet's to refuse (InvalidImageName).
		return []error{invalid(path+".image", ctr.Image, "must not have leading or trailing whitespace")}
	}
	return nil
}

func checkPolicies(_ *podContext, ctr *Container, path string) []error {
	var errs errList
	switch ctr.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	default:
		errs.add(unsupported(path+".imagePullPolicy", ctr.ImagePullPolicy, "Always", "IfNotPresent", "Never"))
	}
	switch ctr.TerminationMessagePolicy {
	case "File", "FallbackToLogsOnError":
	default:
		errs.add(unsupported(path+".terminationMessagePolicy", ctr.TerminationMessagePolicy, "File", "FallbackToLogsOnError"))
	}
	return errs
}

// checkPorts: containerPort is informational but must be a port; names are
// IANA service names, unique within the container.
func checkPorts(pc *podContext, ctr *Container, path string) []error {
	var errs errList
	names := map[string]bool{}
	for i, p := range ctr.Ports {
		pp := path + ".ports[" + strconv.Itoa(i) + "]"
		if p.ContainerPort < 1 || p.ContainerPort > 65535 {
			errs.add(invalid(pp+".containerPort", strconv.Itoa(int(p.ContainerPort)), "must be between 1 and 65535, inclusive"))
		}
		switch p.Protocol {
		case "TCP", "UDP", "SCTP":
		default:
			errs.add(unsupported(pp+".protocol", p.Protocol, "SCTP", "TCP", "UDP"))
		}
		if p.HostIP != "" && net.ParseIP(p.HostIP) == nil {
			errs.add(invalid(pp+".hostIP", p.HostIP, "must be a valid IP address"))
		}
		errs.add(checkHostPort(pc, p, pp)...)
		if p.Name == "" {
			continue
		}
		if why := ianaSvcName(p.Name); why != "" {
			errs.add(invalid(pp+".name", p.Name, why))
		} else if names[p.Name] {
			errs.add(duplicate(pp+".name", p.Name))
		}
		names[p.Name] = true
	}
	return errs
}

// checkVolumeMounts: every mount names a pod volume; mount paths are
// absolute and unique; subPath stays inside the volume; only private
// propagation exists here.
func checkVolumeMounts(c *podContext, ctr *Container, path string) []error {
	var errs errList
	mountPaths := map[string]bool{}
	for i, vm := range ctr.VolumeMounts {
		mp := path + ".volumeMounts[" + strconv.Itoa(i) + "]"
		if vm.Name == "" {
			errs.add(required(mp+".name", ""))
		} else if _, ok := c.volumes[vm.Name]; !ok {
			errs.add(notFound(mp+".name", vm.Name))
		}
		switch {
		case vm.MountPath == "":
			errs.add(required(mp+".mountPath", ""))
		case !strings.HasPrefix(vm.MountPath, "/"):
			errs.add(invalid(mp+".mountPath", vm.MountPath, "must be an absolute path"))
		case escapesRoot(vm.MountPath):
			errs.add(invalid(mp+".mountPath", vm.MountPath, "must not climb above the container root with '..'"))
		case inProcOrSys(vm.MountPath):
			errs.add(invalid(mp+".mountPath", vm.MountPath, "must not be in /proc or /sys"))
		case mountPaths[vm.MountPath]:
			errs.add(invalid(mp+".mountPath", vm.MountPath, "must be unique"))
		}
		mountPaths[vm.MountPath] = true
		if why := localDescendingPath(vm.SubPath); why != "" {
			errs.add(invalid(mp+".subPath", vm.SubPath, why))
		}
		if vm.SubPathExpr != "" {
			if vm.SubPath != "" {
				errs.add(invalid(mp+".subPathExpr", vm.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			if why := localDescendingPath(vm.SubPathExpr); why != "" {
				errs.add(invalid(mp+".subPathExpr", vm.SubPathExpr, why))
			}
		}
		if p := vm.MountPropagation; p != nil && *p != "None" {
			errs.add(notSupported(mp+".mountPropagation", "not supported"))
		}
		errs.add(checkRecursiveReadOnly(vm, mp)...)
	}
	return errs
}

// The values of a volumeMount's recursiveReadOnly.
const (
	RecursiveReadOnlyDisabled   = "Disabled"
	RecursiveReadOnlyIfPossible = "IfPossible"
	RecursiveReadOnlyEnabled    = "Enabled"
)

// readOnlyWarnings says where a manifest asks for a read-only mount whose
// submounts stay writable (recursiveReadOnly: Disabled), which minipod
// does not make: every read-only mount here is so all the way down.
func readOnlyWarnings(p *Pod) []string {
	var out []string
	forEachContainer(&p.Spec, func(path string, c *Container) {
		for j, vm := range c.VolumeMounts {
			if vm.ReadOnly && vm.RecursiveReadOnly != nil && *vm.RecursiveReadOnly == RecursiveReadOnlyDisabled {
				out = append(out, fmt.Sprintf("%s.volumeMounts[%d].recursiveReadOnly: Disabled is not honoured: "+
					"a read-only mount is read-only all the way down on this node", path, j))
			}
		}
	})
	return out
}

// checkRecursiveReadOnly: asking for submounts read-only too takes a
// read-only mount that propagates nothing, as the API server requires.
// (Every read-only mount here is recursively so: see mounts.bind.)
func checkRecursiveReadOnly(vm VolumeMount, mp string) []error {
	if vm.RecursiveReadOnly == nil {
		return nil
	}
	var errs errList
	switch r := *vm.RecursiveReadOnly; r {
	case RecursiveReadOnlyDisabled:
	case RecursiveReadOnlyEnabled, RecursiveReadOnlyIfPossible:
		if !vm.ReadOnly {
			errs.add(forbidden(mp+".recursiveReadOnly", "may only be specified when readOnly is true"))
		}
		if p := vm.MountPropagation; p != nil && *p != "None" {
			errs.add(forbidden(mp+".recursiveReadOnly", "may only be specified when mountPropagation is None or not specified"))
		}
	default:
		errs.add(unsupported(mp+".recursiveReadOnly", r, RecursiveReadOnlyDisabled, RecursiveReadOnlyEnabled, RecursiveReadOnlyIfPossible))
	}
	return errs
}

// inProcOrSys reports whether a mount would land on or below /proc or /sys.
// Those are the kernel's own interfaces, mounted fresh in each container:
// a volume over /proc/sys/kernel, say, would hide or replace kernel
// settings from the runtime that writes them, so runc refuses such mounts
// and so does minipod, before anything runs.
func inProcOrSys(p string) bool {
	p = path.Clean(p)
	for _, dir := range []string{"/proc", "/sys"} {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// escapesRoot reports whether an absolute path climbs above "/" with "..".
// The runtime resolves every mount inside the root anyway, so such a path
// could never leave it; refusing it says plainly that the manifest is wrong.
func escapesRoot(p string) bool {
	depth := 0
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "", ".":
		case "..":
			if depth == 0 {
				return true
			}
			depth--
		default:
			depth++
		}
	}
	return false
}

// checkHostPort: a hostPort is a port; with hostNetwork it must equal the
// containerPort (Kubernetes' rule); minipod publishes TCP and UDP only; one
// hostPort/protocol/hostIP is used once per pod.
func checkHostPort(pc *podContext, p ContainerPort, pp string) []error {
	if p.HostPort == 0 {
		return nil
	}
	hp := strconv.Itoa(int(p.HostPort))
	switch {
	case p.HostPort < 0 || p.HostPort > 65535:
		return []error{invalid(pp+".hostPort", hp, "must be between 1 and 65535, inclusive")}
	case pc.pod.Spec.HostNetwork && p.HostPort != p.ContainerPort:
		return []error{invalid(pp+".hostPort", hp, "must match `containerPort` when `hostNetwork` is true")}
	case p.Protocol == "SCTP":
		return []error{notSupported(pp+".hostPort", "not supported for SCTP")}
	}
	key := p.Protocol + "/" + hp + "/" + p.HostIP
	if pc.hostPorts == nil {
		pc.hostPorts = map[string]bool{}
	}
	if pc.hostPorts[key] {
		return []error{duplicate(pp+".hostPort", hp+"/"+p.Protocol)}
	}
	pc.hostPorts[key] = true
	return nil
}
