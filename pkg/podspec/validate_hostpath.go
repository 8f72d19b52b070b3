package podspec

import (
	"fmt"
	"path"
	"strings"
)

// checkHostPath applies the API server's rules (validateHostPathVolumeSource:
// a path without ".." elements, a known type) and one of minipod's own: the
// path is absolute. The API server takes a relative path, which no node
// can resolve to anything meant (it would be relative to the kubelet's
// working directory); minipod refuses it rather than guess.
func checkHostPath(h *HostPathVolumeSource, field string) []error {
	var errs errList
	switch p := h.Path; {
	case p == "":
		errs.add(required(field+".path", ""))
		return errs
	case hasBackstep(p):
		errs.add(invalid(field+".path", p, "must not contain '..'"))
	case !path.IsAbs(p):
		errs.add(invalid(field+".path", p, "must be an absolute path"))
	}
	if t := h.TypeOrUnset(); !isHostPathType(t) {
		errs.add(unsupported(field+".type", t, hostPathTypes...))
	}
	return errs
}

// hasBackstep is validatePathNoBacksteps: any ".." element, wherever it is.
func hasBackstep(p string) bool {
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return true
		}
	}
	return false
}

func isHostPathType(t string) bool {
	for _, known := range hostPathTypes {
		if t == known {
			return true
		}
	}
	return false
}

// hostPathWarnings says, for each hostPath volume, what the pod is given:
// a hostPath is the node's own files, which is why PodSecurity's baseline
// level forbids it. The API server only warns so when a namespace enforces
// or warns at that level; on a node without namespaces, minipod always
// does.
func hostPathWarnings(p *Pod) []string {
	var out []string
	for i, v := range p.Spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		out = append(out, fmt.Sprintf("spec.volumes[%d].hostPath: volume %q gives the pod access to the host's %s; "+
			"PodSecurity's baseline level forbids hostPath volumes", i, v.Name, v.HostPath.Path))
	}
	return out
}
