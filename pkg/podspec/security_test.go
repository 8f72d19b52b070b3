package podspec

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestEffectiveSecurity: the container's value wins where both set one;
// the pod-only and container-only fields come from their side; fsGroup
// leads the supplementary groups.
func TestEffectiveSecurity(t *testing.T) {
	p := mustParsePod(t, podWith(
		edit{"metadata.annotations", m{aaKey + "b": "unconfined"}},
		edit{"spec.securityContext", m{
			"runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true, "fsGroup": 2000,
			"supplementalGroups": l{4000, 5000}, "supplementalGroupsPolicy": "Strict",
			"sysctls":        l{m{"name": "net.ipv4.tcp_syncookies", "value": "1"}},
			"seccompProfile": m{"type": "RuntimeDefault"}, "appArmorProfile": m{"type": "RuntimeDefault"},
		}},
		edit{"spec.containers", l{
			m{"name": "a", "image": "x", "securityContext": m{
				"runAsUser": 0, "runAsNonRoot": false, "privileged": false, "allowPrivilegeEscalation": false,
				"readOnlyRootFilesystem": true, "seccompProfile": m{"type": "Unconfined"},
				"capabilities": m{"add": l{"net_admin", "CAP_NET_RAW", "NET_ADMIN"}, "drop": l{"all"}},
			}},
			m{"name": "b", "image": "x"},
		}},
	))
	a := EffectiveSecurity(p, &p.Spec.Containers[0])
	b := EffectiveSecurity(p, &p.Spec.Containers[1])
	checks := []struct {
		name      string
		got, want any
	}{
		{"a runAsUser (container's)", *a.RunAsUser, int64(0)},
		{"a runAsGroup (pod's)", *a.RunAsGroup, int64(3000)},
		{"a runAsNonRoot (container's false)", a.RunAsNonRoot, false},
		{"a seccomp (container's)", a.SeccompProfile.Type, SeccompUnconfined},
		{"a appArmor (pod's)", a.AppArmorProfile.Type, AppArmorRuntimeDefault},
		{"a noNewPrivileges", a.NoNewPrivileges, true},
		{"a readOnlyRootFilesystem", a.ReadOnlyRootFilesystem, true},
		{"a procMount", a.ProcMount, ProcMountDefault},
		{"a capabilities.add", strings.Join(a.Capabilities.Add, ","), "CAP_NET_ADMIN,CAP_NET_RAW"},
		{"a capabilities.drop", strings.Join(a.Capabilities.Drop, ","), "ALL"},
		{"b runAsUser (pod's)", *b.RunAsUser, int64(1000)},
		{"b runAsNonRoot (pod's)", b.RunAsNonRoot, true},
		{"b seccomp (pod's)", b.SeccompProfile.Type, SeccompRuntimeDefault},
		{"b appArmor (its annotation's, over the pod's)", b.AppArmorProfile.Type, AppArmorUnconfined},
		{"b noNewPrivileges", b.NoNewPrivileges, false},
		{"b allowPrivilegeEscalation unset", b.AllowPrivilegeEscalation == nil, true},
		{"supplementalGroups", b.SupplementalGroups, []int64{2000, 4000, 5000}},
		{"supplementalGroupsPolicy", b.SupplementalGroupsPolicy, SupplementalGroupsPolicyStrict},
		{"fsGroup", *b.FSGroup, int64(2000)},
		{"fsGroupChangePolicy default", b.FSGroupChangePolicy, FSGroupChangeAlways},
		{"sysctls", b.Sysctls[0].Name, "net.ipv4.tcp_syncookies"},
	}
	for _, c := range checks {
		if g, ok := c.got.([]int64); ok {
			if !slices.Equal(g, c.want.([]int64)) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
			continue
		}
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	*a.RunAsUser = 42
	a.SupplementalGroups[0] = 1
	if *p.Spec.Containers[0].SecurityContext.RunAsUser != 0 || *p.Spec.SecurityContext.FSGroup != 2000 {
		t.Error("changing the result changed the pod")
	}
}

func TestEffectiveSecurityDefaults(t *testing.T) {
	p := mustParsePod(t, podWith())
	s := EffectiveSecurity(p, &p.Spec.Containers[0])
	if s.RunAsUser != nil || s.RunAsNonRoot || s.SeccompProfile != nil || s.AppArmorProfile != nil || s.Privileged ||
		s.NoNewPrivileges || len(s.SupplementalGroups) != 0 || s.SupplementalGroupsPolicy != SupplementalGroupsPolicyMerge ||
		s.ProcMount != ProcMountDefault || len(s.Capabilities.Add)+len(s.Capabilities.Drop) != 0 {
		t.Errorf("defaults: %+v", s)
	}
}

var containerdDefaults = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// runtimeCaps stands for what the runtime holds: every capability but
// CAP_SYS_RESOURCE, as root on a node that lacks it.
var runtimeCaps = without(AllCapabilities(), "CAP_SYS_RESOURCE")

// TestCapabilitySet: containerd's order (ALL added, ALL dropped, then each
// named one added, then each dropped).
func TestCapabilitySet(t *testing.T) {
	cases := []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
	}{
		{"defaults", nil, nil, false, sorted(containerdDefaults)},
		{"drop ALL, add one", []string{"CAP_NET_BIND_SERVICE"}, []string{"ALL"}, false, []string{"CAP_NET_BIND_SERVICE"}},
		{"drop ALL", nil, []string{"ALL"}, false, []string{}},
		{"add ALL, drop one", []string{"ALL"}, []string{"CAP_NET_RAW"}, false, without(runtimeCaps, "CAP_NET_RAW")},
		{"add ALL, drop ALL", []string{"ALL"}, []string{"ALL"}, false, []string{}},
		{"add and drop the same: dropped", []string{"CAP_SYS_ADMIN"}, []string{"CAP_SYS_ADMIN"}, false, sorted(containerdDefaults)},
		{"add one", []string{"CAP_SYS_PTRACE"}, nil, false, sorted(append(slices.Clone(containerdDefaults), "CAP_SYS_PTRACE"))},
		{"privileged: what the runtime holds, lists ignored", nil, []string{"ALL"}, true, runtimeCaps},
	}
	for _, tc := range cases {
		s := Security{Privileged: tc.privileged, Capabilities: Capabilities{Add: tc.add, Drop: tc.drop}}
		got := s.CapabilitySet(containerdDefaults, runtimeCaps)
		if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

// sorted orders capability names by number, as CapabilitySet returns them.
func sorted(names []string) []string {
	all := AllCapabilities()
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int { return slices.Index(all, a) - slices.Index(all, b) })
	return out
}

func without(names []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == drop })
}

func TestNormalizeCapability(t *testing.T) {
	good := map[string]string{
		"NET_ADMIN": "CAP_NET_ADMIN", "CAP_NET_ADMIN": "CAP_NET_ADMIN", "net_admin": "CAP_NET_ADMIN", "cap_chown": "CAP_CHOWN",
		"ALL": "ALL", "all": "ALL", "CHECKPOINT_RESTORE": "CAP_CHECKPOINT_RESTORE", "CAP_BPF": "CAP_BPF",
	}
	for in, want := range good {
		if got, ok := NormalizeCapability(in); !ok || got != want {
			t.Errorf("NormalizeCapability(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "CAP_", "CAP_ALL", "NET ADMIN", "CAP_CAP_KILL", "FLY", "SYS-ADMIN"} {
		if got, ok := NormalizeCapability(in); ok {
			t.Errorf("NormalizeCapability(%q) = %q, want refusal", in, got)
		}
	}
}

func TestVerifyRunAsNonRoot(t *testing.T) {
	uid := func(v int64) *int64 { return &v }
	cases := []struct {
		name     string
		s        Security
		imageUID *int64
		user     string
		want     string // "" for no error
	}{
		{"not asked", Security{}, uid(0), "", ""},
		{"runAsUser 0", Security{RunAsNonRoot: true, RunAsUser: uid(0)}, uid(1000), "", "container's runAsUser breaks non-root policy"},
		{"runAsUser set", Security{RunAsNonRoot: true, RunAsUser: uid(1000)}, uid(0), "", ""},
		{"image root", Security{RunAsNonRoot: true}, uid(0), "", "container has runAsNonRoot and image will run as root"},
		{"image user by name", Security{RunAsNonRoot: true}, nil, "nginx", "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root"},
		{"image uid invalid", Security{RunAsNonRoot: true}, uid(1 << 32), "", "container has runAsNonRoot and image has an invalid user id (4294967296). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive"},
		{"image non-root", Security{RunAsNonRoot: true}, uid(101), "", ""},
	}
	for _, tc := range cases {
		err := tc.s.VerifyRunAsNonRoot(tc.imageUID, tc.user)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, ErrRunAsNonRoot)):
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}
