package podspec

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// safeSysctls is the kubelet's safe set (pkg/kubelet/sysctl/
// safe_sysctls.go, Kubernetes 1.37): namespaced, and unable to affect
// other pods or the node. The kubelet drops the newer ones on kernels
// older than 4.15; minipod needs Linux 5.6 or later (openat2), where all
// of them are namespaced.
var safeSysctls = []string{
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	"net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_notsent_lowat",
}

// sysctlNamespace is the kernel namespace a sysctl belongs to, by the
// names Kubernetes gives them in its messages (component-helpers
// node/util/sysctl).
type sysctlNamespace string

const (
	sysctlIPC     sysctlNamespace = "IPC"
	sysctlNet     sysctlNamespace = "Net"
	sysctlUTS     sysctlNamespace = "UTS"
	sysctlUser    sysctlNamespace = "User"
	sysctlUnknown sysctlNamespace = ""
)

var sysctlNamespaceByName = map[string]sysctlNamespace{
	"kernel.domainname": sysctlUTS,
	"kernel.sem":        sysctlIPC, "kernel.shmall": sysctlIPC, "kernel.shmmax": sysctlIPC,
	"kernel.shmmni": sysctlIPC, "kernel.shm_rmid_forced": sysctlIPC, "kernel.shm": sysctlIPC,
	"kernel.msgmax": sysctlIPC, "kernel.msgmnb": sysctlIPC, "kernel.msgmni": sysctlIPC, "kernel.msg": sysctlIPC,
}

var sysctlNamespaceByPrefix = map[string]sysctlNamespace{
	"net": sysctlNet, "fs.mqueue": sysctlIPC, "user": sysctlUser,
}

// namespaceOfSysctl returns the namespace of a normalised sysctl name or
// of a pattern's prefix.
func namespaceOfSysctl(name string) sysctlNamespace {
	if ns, ok := sysctlNamespaceByName[name]; ok {
		return ns
	}
	for prefix, ns := range sysctlNamespaceByPrefix {
		if strings.HasPrefix(name, prefix+".") {
			return ns
		}
	}
	return sysctlUnknown
}

// normalizeSysctl turns a name written with '/' separators
// (net/ipv4/tcp_syncookies) into the dotted form; a name whose first
// separator is '.' is already dotted, and a '/' in it is part of a
// component (such as an interface name with a dot, written net.ipv4.conf.
// eno2/100.rp_filter), so the two are swapped, as sysctl(8) does.
func normalizeSysctl(name string) string {
	i := strings.IndexAny(name, "./")
	if i < 0 || name[i] == '.' {
		return name
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, name)
}

const sysctlMaxLength = 253

var (
	sysctlNameRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$`)
	})
	sysctlPatternRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]$`)
	})
)

// sysctlNameError is the API server's rule for a sysctl name ("" when valid).
func sysctlNameError(name string) string {
	if len(name) > sysctlMaxLength || !sysctlNameRe().MatchString(name) {
		return fmt.Sprintf("must have at most %d characters and match regex %s", sysctlMaxLength, sysctlNameRe())
	}
	return ""
}
