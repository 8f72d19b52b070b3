package pod

import (
	"path/filepath"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// chooseSeccomp picks the container's seccomp profile as the kubelet
// does (the container's securityContext, else the pod's), except that
// with neither the node default applies, which is RuntimeDefault unless
// the node setting seccomp-default says Unconfined.
func chooseSeccomp(p *podspec.Pod, c *podspec.Container, spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	kind, localhost := "", ""
	return seccomp.Choose(kind, localhost, filepath.Join(roots.Data, "seccomp"), spec)
}
