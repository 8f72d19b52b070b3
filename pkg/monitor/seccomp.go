package monitor

import (
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// chooseSeccomp picks the container's seccomp profile as the kubelet
// does (the container's securityContext, else the pod's), except that
// with neither the node default applies, which is RuntimeDefault unless
// the node setting seccomp-default says Unconfined. Localhost profiles are
// relative to /var/lib/minipod/seccomp, as the kubelet's are to its
// seccomp directory.
func chooseSeccomp(p *podspec.Pod, c *podspec.Container, spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	prof := seccompProfile(p, c)
	kind, localhost := "", ""
	switch {
	case podspec.EffectiveSecurity(p, c).Privileged:
		// containerd never filters a privileged container, whatever
		// profile it names ("privileged containers always run as
		// Unconfined", the Kubernetes seccomp page says).
		kind = seccomp.Unconfined
	case prof != nil:
		kind = prof.Type
		if prof.LocalhostProfile != nil {
			localhost = *prof.LocalhostProfile
		}
	}
	return seccomp.Choose(kind, localhost, roots.Seccomp(), spec)
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
