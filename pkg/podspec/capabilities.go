package podspec

import (
	"slices"
	"strings"
)

// capabilityNames are Linux's capabilities in number order: CAP_CHOWN is
// 0, CAP_CHECKPOINT_RESTORE (Linux 5.9) is 40, CAP_LAST_CAP today.
var capabilityNames = [...]string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// CapabilityAll in capabilities.add or .drop stands for every capability.
const CapabilityAll = "ALL"

// NormalizeCapability returns the "CAP_"-prefixed, upper-case name of a
// capability written with or without the prefix, in any case, as
// containerd and CRI-O accept it ("net_admin", "NET_ADMIN" and
// "CAP_NET_ADMIN" are all "CAP_NET_ADMIN"), or "ALL". It returns false for
// a name Linux has no capability for: the API server accepts any string
// there, but minipod refuses what it cannot apply.
func NormalizeCapability(name string) (string, bool) {
	upper := strings.ToUpper(name)
	if upper == CapabilityAll {
		return CapabilityAll, true
	}
	bare := strings.TrimPrefix(upper, "CAP_")
	if !slices.Contains(capabilityNames[:], bare) {
		return "", false
	}
	return "CAP_" + bare, true
}

// AllCapabilities returns every capability, "CAP_"-prefixed, in number
// order: what "ALL" and privileged: true grant.
func AllCapabilities() []string {
	out := make([]string, len(capabilityNames))
	for i, n := range capabilityNames {
		out[i] = "CAP_" + n
	}
	return out
}

// normalizeCapabilities returns a copy with every name normalised (Parse
// has refused unknown ones; any left are dropped).
func normalizeCapabilities(c *Capabilities) Capabilities {
	if c == nil {
		return Capabilities{}
	}
	return Capabilities{Add: normalizeNames(c.Add), Drop: normalizeNames(c.Drop)}
}

func normalizeNames(names []string) []string {
	var out []string
	for _, n := range names {
		if norm, ok := NormalizeCapability(n); ok && !slices.Contains(out, norm) {
			out = append(out, norm)
		}
	}
	return out
}

// Apply returns the capability set a container gets from base (the
// runtime's default set) as containerd computes it: "ALL" in add grants
// every capability in all (what the runtime itself holds) and "ALL" in
// drop removes every one, then each named
// capability is added, then each named one dropped. So drop: [ALL] with
// add: [NET_BIND_SERVICE] leaves NET_BIND_SERVICE alone, and add: [ALL]
// with drop: [NET_RAW] leaves all but NET_RAW. Names must be normalised
// (EffectiveSecurity returns them so). The result is in number order, and
// not nil when empty (no capability is not the default set).
func (c Capabilities) Apply(base, all []string) []string {
	set := map[string]bool{}
	for _, n := range base {
		set[n] = true
	}
	if slices.Contains(c.Add, CapabilityAll) {
		for _, n := range all {
			set[n] = true
		}
	}
	if slices.Contains(c.Drop, CapabilityAll) {
		clear(set)
	}
	for _, n := range c.Add {
		if n != CapabilityAll {
			set[n] = true
		}
	}
	for _, n := range c.Drop {
		delete(set, n)
	}
	out := []string{}
	for _, n := range AllCapabilities() {
		if set[n] {
			out = append(out, n)
		}
	}
	return out
}
