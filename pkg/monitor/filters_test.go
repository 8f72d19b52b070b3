package monitor

import (
	"slices"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestFiltersRuntimeDefault: a cached program is the one compiling the
// profile for those capabilities gives, shared by every container with
// the same set and not by one with another set.
func TestFiltersRuntimeDefault(t *testing.T) {
	compile := func(caps []string) *seccomp.Program {
		spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
		prof, err := seccomp.Choose(seccomp.RuntimeDefault, "", "", spec)
		if err != nil {
			t.Fatal(err)
		}
		p, err := seccomp.Compile(prof)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	admin := append(slices.Clone(specconv.DefaultCaps), "CAP_SYS_ADMIN")
	var f filters
	f.prefetch(&podspec.Pod{Spec: podspec.PodSpec{Containers: []podspec.Container{{Name: "a"}}}})
	for _, caps := range [][]string{specconv.DefaultCaps, admin} {
		got, err := f.runtimeDefault(caps)
		if err != nil {
			t.Fatal(err)
		}
		if want := compile(caps); !slices.Equal(got.Instructions(), want.Instructions()) {
			t.Errorf("%d capabilities: cached program differs from a fresh compile", len(caps))
		}
		if again, _ := f.runtimeDefault(slices.Clone(caps)); again != got {
			t.Errorf("%d capabilities: compiled twice", len(caps))
		}
	}
	a, _ := f.runtimeDefault(specconv.DefaultCaps)
	b, _ := f.runtimeDefault(admin)
	if slices.Equal(a.Instructions(), b.Instructions()) {
		t.Error("CAP_SYS_ADMIN's program is the default set's: the key misses the capabilities")
	}
}

// TestSeccompKind: privileged is unconfined whatever it names; the
// container's profile over the pod's; none named is the node default.
func TestSeccompKind(t *testing.T) {
	yes := true
	local := "p.json"
	pod := func(psc *podspec.SeccompProfile, csc *podspec.SecurityContext) *podspec.Pod {
		p := &podspec.Pod{Spec: podspec.PodSpec{Containers: []podspec.Container{{Name: "a", SecurityContext: csc}}}}
		if psc != nil {
			p.Spec.SecurityContext = &podspec.PodSecurityContext{SeccompProfile: psc}
		}
		return p
	}
	for name, c := range map[string]struct {
		p          *podspec.Pod
		kind, file string
	}{
		"privileged": {pod(&podspec.SeccompProfile{Type: seccomp.Localhost, LocalhostProfile: &local},
			&podspec.SecurityContext{Privileged: &yes}), seccomp.Unconfined, ""},
		"container over pod": {pod(&podspec.SeccompProfile{Type: seccomp.Unconfined},
			&podspec.SecurityContext{SeccompProfile: &podspec.SeccompProfile{Type: seccomp.Localhost, LocalhostProfile: &local}}), seccomp.Localhost, local},
		"pod's":        {pod(&podspec.SeccompProfile{Type: seccomp.Unconfined}, nil), seccomp.Unconfined, ""},
		"node default": {pod(nil, nil), seccomp.RuntimeDefault, ""},
	} {
		t.Setenv("MINIPOD_SECCOMP_DEFAULT", "")
		kind, file, err := seccompKind(c.p, &c.p.Spec.Containers[0])
		if err != nil || kind != c.kind || file != c.file {
			t.Errorf("%s: %q %q %v, want %q %q", name, kind, file, err, c.kind, c.file)
		}
	}
}
