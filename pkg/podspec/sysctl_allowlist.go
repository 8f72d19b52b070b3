package podspec

import (
	"fmt"
	"strings"
)

// SysctlAllowlist is what the kubelet admits in spec.securityContext.
// sysctls: the safe set plus the node's allowed unsafe sysctls (the
// kubelet's --allowed-unsafe-sysctls), each a name or a prefix ending in
// '*', and each in a namespace the pod owns.
type SysctlAllowlist struct {
	names    map[string]sysctlNamespace
	prefixes map[string]sysctlNamespace
}

// NewSysctlAllowlist returns the safe set plus the unsafe patterns a node
// setting allows ("kernel.msg*", "net.core.somaxconn"). A pattern must be a
// valid sysctl name or prefix and namespaced: a sysctl of the node's own
// (such as vm.swappiness) would change the host for every pod.
func NewSysctlAllowlist(allowedUnsafe []string) (*SysctlAllowlist, error) {
	a := &SysctlAllowlist{names: map[string]sysctlNamespace{}, prefixes: map[string]sysctlNamespace{}}
	for _, s := range safeSysctls {
		a.names[s] = namespaceOfSysctl(s)
	}
	for _, p := range allowedUnsafe {
		if err := a.add(p); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *SysctlAllowlist) add(pattern string) error {
	if len(pattern) > sysctlMaxLength || !sysctlPatternRe().MatchString(pattern) {
		return fmt.Errorf("sysctl %q must have at most %d characters and match regex %s",
			pattern, sysctlMaxLength, sysctlPatternRe())
	}
	name := normalizeSysctl(pattern)
	prefix, prefixed := strings.CutSuffix(name, "*")
	ns := namespaceOfSysctl(prefix)
	if ns == sysctlUnknown {
		return fmt.Errorf("the sysctls %q are not known to be namespaced", prefix)
	}
	if prefixed {
		a.prefixes[prefix] = ns
	} else {
		a.names[name] = ns
	}
	return nil
}

// safeAllowlist is the allowlist with no node setting.
func safeAllowlist() *SysctlAllowlist {
	a, err := NewSysctlAllowlist(nil)
	if err != nil {
		panic("podspec: the safe sysctl set is invalid: " + err.Error())
	}
	return a
}

// podNamespaces says which of a pod's namespaces are the host's.
type podNamespaces struct {
	hostNet, hostIPC, hostUsers bool
}

// admit is the kubelet's sysctl admission for one name: allowed, and not in
// a namespace the pod shares with the host.
func (a *SysctlAllowlist) admit(name string, pod podNamespaces) error {
	name = normalizeSysctl(name)
	ns, ok := a.names[name]
	if !ok {
		for prefix, pns := range a.prefixes {
			if strings.HasPrefix(name, prefix) {
				ns, ok = pns, true
				break
			}
		}
	}
	if !ok {
		return fmt.Errorf("%q not allowlisted", name)
	}
	shared := ns == sysctlIPC && pod.hostIPC || ns == sysctlNet && pod.hostNet || ns == sysctlUser && pod.hostUsers
	if shared {
		return fmt.Errorf("%q not allowed with host %s enabled", name, ns)
	}
	return nil
}
