package monitor

import (
	"fmt"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// containerFilter is the container's seccomp program (nil: unconfined),
// its profile picked as the kubelet picks it (the container's
// securityContext, else the pod's), except that with neither the node
// default applies, which is RuntimeDefault unless the node setting
// seccomp-default says Unconfined. Localhost profiles are relative to
// /var/lib/minipod/seccomp, as the kubelet's are to its seccomp
// directory. RuntimeDefault programs come from the pod's filters.
func containerFilter(pe podEnv, c *podspec.Container, spec *specs.Spec) (*seccomp.Program, error) {
	kind, localhost, err := seccompKind(pe.pod, c)
	if err != nil {
		return nil, err
	}
	if kind == seccomp.RuntimeDefault && localhost == "" && pe.filters != nil && spec.Process.Capabilities != nil {
		prog, err := pe.filters.runtimeDefault(spec.Process.Capabilities.Bounding)
		if err != nil {
			return nil, fmt.Errorf("seccomp profile: %w", err)
		}
		return prog, nil
	}
	prof, err := seccomp.Choose(kind, localhost, roots.Seccomp(), spec)
	if err != nil || prof == nil {
		return nil, err
	}
	prog, err := seccomp.Compile(prof)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	return prog, nil
}

// seccompKind is the profile type and Localhost file the container runs
// with: a privileged one is unconfined whatever it names, as containerd
// has it ("privileged containers always run as Unconfined", the
// Kubernetes seccomp page says); with no profile named, the node default.
func seccompKind(p *podspec.Pod, c *podspec.Container) (kind, localhost string, err error) {
	prof := seccompProfile(p, c)
	switch {
	case podspec.EffectiveSecurity(p, c).Privileged:
		return seccomp.Unconfined, "", nil
	case prof != nil:
		if prof.LocalhostProfile != nil {
			localhost = *prof.LocalhostProfile
		}
		return prof.Type, localhost, nil
	}
	kind, err = seccomp.NodeDefault()
	return kind, "", err
}

func seccompProfile(p *podspec.Pod, c *podspec.Container) *podspec.SeccompProfile {
	if c.SecurityContext != nil && c.SecurityContext.SeccompProfile != nil {
		return c.SecurityContext.SeccompProfile
	}
	if p.Spec.SecurityContext != nil {
		return p.Spec.SecurityContext.SeccompProfile
	}
	return nil
}
