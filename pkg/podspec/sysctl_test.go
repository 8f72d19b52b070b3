package podspec

import (
	"strings"
	"testing"
)

func sysctlPod(names ...string) []byte {
	list := l{}
	for _, n := range names {
		list = append(list, m{"name": n, "value": "1"})
	}
	return podSC(m{"sysctls": list})
}

const sp = "spec.securityContext.sysctls"

// TestSysctlsSafeAccepted: every sysctl of the kubelet's safe set, dotted
// and written with slashes.
func TestSysctlsSafeAccepted(t *testing.T) {
	mustParse(t, sysctlPod(safeSysctls...))
	mustParse(t, sysctlPod("net/ipv4/ip_local_port_range", "kernel/shm_rmid_forced"))
}

var sysctlErrorCases = []struct {
	name string
	data []byte
	want []string
}{
	{"unsafe namespaced", sysctlPod("kernel.msgmax"),
		l2(sp + `[0].name: Forbidden: SysctlForbidden: forbidden sysctl: "kernel.msgmax" not allowlisted`)},
	{"unsafe net", sysctlPod("net.ipv4.tcp_syncookies", "net.core.somaxconn"),
		l2(sp + `[1].name: Forbidden: SysctlForbidden: forbidden sysctl: "net.core.somaxconn" not allowlisted`)},
	{"not namespaced", sysctlPod("vm.swappiness"),
		l2(sp + `[0].name: Forbidden: SysctlForbidden: forbidden sysctl: "vm.swappiness" not allowlisted`)},
	{"unknown", sysctlPod("kernel.no_such_thing"),
		l2(sp + `[0].name: Forbidden: SysctlForbidden: forbidden sysctl: "kernel.no_such_thing" not allowlisted`)},
	{"slashes named normalised", sysctlPod("kernel/msgmax"),
		l2(sp + `[0].name: Forbidden: SysctlForbidden: forbidden sysctl: "kernel.msgmax" not allowlisted`)},
	{"name required", podSC(m{"sysctls": l{m{"value": "1"}}}), l2(sp + `[0].name: Required value`)},
	{"name invalid", sysctlPod("Net.IPv4"),
		l2(sp + `[0].name: Invalid value: "Net.IPv4": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$`)},
	{"name with a trailing dot", sysctlPod("net.ipv4."), l2(sp + `[0].name: Invalid value: "net.ipv4.": must have at most 253 characters`)},
	{"duplicate", sysctlPod("net.ipv4.tcp_syncookies", "net.ipv4.tcp_syncookies"),
		l2(sp + `[1].name: Duplicate value: "net.ipv4.tcp_syncookies"`)},
	{"net with hostNetwork", podWith(edit{"spec.hostNetwork", true}, edit{"spec.securityContext.sysctls", l{m{"name": "net.ipv4.tcp_syncookies", "value": "1"}}}),
		l2(sp + `[0].name: Invalid value: "net.ipv4.tcp_syncookies": may not be specified when 'hostNetwork' is true`)},
	{"IPC with hostIPC", podWith(edit{"spec.hostIPC", true}, edit{"spec.securityContext.sysctls", l{m{"name": "kernel.shm_rmid_forced", "value": "1"}}}),
		l2(sp + `[0].name: Invalid value: "kernel.shm_rmid_forced": may not be specified when 'hostIPC' is true`)},
}

func TestSysctlErrors(t *testing.T) {
	for _, tc := range sysctlErrorCases {
		t.Run(tc.name, func(t *testing.T) { expectErrorLines(t, tc.data, tc.want) })
	}
}

// TestUnsafeSysctlsAllowedByNode: the node setting's patterns, with the
// kubelet's namespace rules still applied.
func TestUnsafeSysctlsAllowedByNode(t *testing.T) {
	allow, err := NewSysctlAllowlist([]string{"kernel.msg*", "net.core.somaxconn", "user.max_user_namespaces", "fs/mqueue/*"})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Sysctls: allow}
	for _, names := range [][]string{{"kernel.msgmax", "kernel.msgmnb"}, {"net.core.somaxconn"}, {"fs.mqueue.msg_max"}, {"net.ipv4.tcp_syncookies"}} {
		if _, _, err := ParseWith(sysctlPod(names...), opts); err != nil {
			t.Errorf("%v: %v", names, err)
		}
	}
	refused := map[string]string{
		"net.core.rmem_max":        `forbidden sysctl: "net.core.rmem_max" not allowlisted`,
		"user.max_user_namespaces": `forbidden sysctl: "user.max_user_namespaces" not allowed with host User enabled`,
	}
	for name, want := range refused {
		_, _, err := ParseWith(sysctlPod(name), opts)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
	}
}

func TestSysctlAllowlistPatterns(t *testing.T) {
	bad := map[string]string{
		"vm.swappiness":   `the sysctls "vm.swappiness" are not known to be namespaced`,
		"kernel.*":        `the sysctls "kernel." are not known to be namespaced`,
		"Net.Core":        `sysctl "Net.Core" must have at most 253 characters and match regex`,
		"net.*.somaxconn": `sysctl "net.*.somaxconn" must have at most 253 characters`,
	}
	for pattern, want := range bad {
		_, err := NewSysctlAllowlist([]string{pattern})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewSysctlAllowlist(%q) = %v, want %q", pattern, err, want)
		}
	}
}

func TestSysctlNamespaces(t *testing.T) {
	cases := map[string]sysctlNamespace{
		"kernel.shm_rmid_forced": sysctlIPC, "kernel.msgmax": sysctlIPC, "fs.mqueue.queues_max": sysctlIPC,
		"net.ipv4.tcp_syncookies": sysctlNet, "kernel.domainname": sysctlUTS, "user.max_user_namespaces": sysctlUser,
		"kernel.hostname": sysctlUnknown, "vm.swappiness": sysctlUnknown, "netfoo.x": sysctlUnknown,
	}
	for name, want := range cases {
		if got := namespaceOfSysctl(name); got != want {
			t.Errorf("namespaceOfSysctl(%q) = %q, want %q", name, got, want)
		}
	}
	for _, s := range safeSysctls {
		if namespaceOfSysctl(s) == sysctlUnknown {
			t.Errorf("safe sysctl %s is not namespaced", s)
		}
	}
}

func TestNormalizeSysctl(t *testing.T) {
	cases := map[string]string{
		"net.ipv4.tcp_syncookies":          "net.ipv4.tcp_syncookies",
		"net/ipv4/tcp_syncookies":          "net.ipv4.tcp_syncookies",
		"net/ipv4/conf/eno2.100/rp_filter": "net.ipv4.conf.eno2/100.rp_filter",
		"net.ipv4.conf.eno2/100.rp_filter": "net.ipv4.conf.eno2/100.rp_filter",
		"kernel":                           "kernel",
	}
	for in, want := range cases {
		if got := normalizeSysctl(in); got != want {
			t.Errorf("normalizeSysctl(%q) = %q, want %q", in, got, want)
		}
	}
}
