package ctrinit

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var capNames = map[string]int{
	"CAP_CHOWN": unix.CAP_CHOWN, "CAP_DAC_OVERRIDE": unix.CAP_DAC_OVERRIDE,
	"CAP_DAC_READ_SEARCH": unix.CAP_DAC_READ_SEARCH, "CAP_FOWNER": unix.CAP_FOWNER,
	"CAP_FSETID": unix.CAP_FSETID, "CAP_KILL": unix.CAP_KILL, "CAP_SETGID": unix.CAP_SETGID,
	"CAP_SETUID": unix.CAP_SETUID, "CAP_SETPCAP": unix.CAP_SETPCAP,
	"CAP_LINUX_IMMUTABLE": unix.CAP_LINUX_IMMUTABLE, "CAP_NET_BIND_SERVICE": unix.CAP_NET_BIND_SERVICE,
	"CAP_NET_BROADCAST": unix.CAP_NET_BROADCAST, "CAP_NET_ADMIN": unix.CAP_NET_ADMIN,
	"CAP_NET_RAW": unix.CAP_NET_RAW, "CAP_IPC_LOCK": unix.CAP_IPC_LOCK, "CAP_IPC_OWNER": unix.CAP_IPC_OWNER,
	"CAP_SYS_MODULE": unix.CAP_SYS_MODULE, "CAP_SYS_RAWIO": unix.CAP_SYS_RAWIO,
	"CAP_SYS_CHROOT": unix.CAP_SYS_CHROOT, "CAP_SYS_PTRACE": unix.CAP_SYS_PTRACE,
	"CAP_SYS_PACCT": unix.CAP_SYS_PACCT, "CAP_SYS_ADMIN": unix.CAP_SYS_ADMIN,
	"CAP_SYS_BOOT": unix.CAP_SYS_BOOT, "CAP_SYS_NICE": unix.CAP_SYS_NICE,
	"CAP_SYS_RESOURCE": unix.CAP_SYS_RESOURCE, "CAP_SYS_TIME": unix.CAP_SYS_TIME,
	"CAP_SYS_TTY_CONFIG": unix.CAP_SYS_TTY_CONFIG, "CAP_MKNOD": unix.CAP_MKNOD,
	"CAP_LEASE": unix.CAP_LEASE, "CAP_AUDIT_WRITE": unix.CAP_AUDIT_WRITE,
	"CAP_AUDIT_CONTROL": unix.CAP_AUDIT_CONTROL, "CAP_SETFCAP": unix.CAP_SETFCAP,
	"CAP_MAC_OVERRIDE": unix.CAP_MAC_OVERRIDE, "CAP_MAC_ADMIN": unix.CAP_MAC_ADMIN,
	"CAP_SYSLOG": unix.CAP_SYSLOG, "CAP_WAKE_ALARM": unix.CAP_WAKE_ALARM,
	"CAP_BLOCK_SUSPEND": unix.CAP_BLOCK_SUSPEND, "CAP_AUDIT_READ": unix.CAP_AUDIT_READ,
	"CAP_PERFMON": unix.CAP_PERFMON, "CAP_BPF": unix.CAP_BPF,
	"CAP_CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
}

// capSet turns capability names into a set; an unknown name is an error.
func capSet(names []string) (map[int]bool, error) {
	set := map[int]bool{}
	for _, n := range names {
		c, ok := capNames[n]
		if !ok {
			return nil, fmt.Errorf("unknown capability %q", n)
		}
		set[c] = true
	}
	return set, nil
}

// lastCap asks the kernel, not a file, which capabilities exist:
// PR_CAPBSET_READ fails with EINVAL past the last one. Reading
// /proc/sys/kernel/cap_last_cap instead would trust whatever a volume
// mounted over the container's /proc says.
func lastCap() int {
	c := 0
	// EINVAL past the last; any other error (a seccomp profile may fail
	// the call) ends the count too, rather than loop for ever.
	for ; c < maxCap; c++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c+1), 0, 0, 0); err != nil {
			return c
		}
	}
	return c
}

// maxCap bounds lastCap: far above the kernel's last capability (40 in 6.x).
const maxCap = 63

// dropBounding removes from the calling thread's bounding set every
// capability not in keep, so that nothing this thread execs can ever
// regain one, whatever file capabilities or setuid bits it meets.
func dropBounding(keep map[int]bool) error {
	for c, last := 0, lastCap(); c <= last; c++ {
		if keep[c] {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	return nil
}

// setCaps sets the calling thread's effective, permitted and inheritable
// sets as the process description says and clears the ambient set (the
// CRI never grants ambient capabilities).
func setCaps(c *specs.LinuxCapabilities) error {
	var data [2]unix.CapUserData
	last := lastCap()
	for _, s := range []struct {
		names []string
		set   func(d *unix.CapUserData, bit uint32)
	}{
		{c.Effective, func(d *unix.CapUserData, b uint32) { d.Effective |= b }},
		{c.Permitted, func(d *unix.CapUserData, b uint32) { d.Permitted |= b }},
		{c.Inheritable, func(d *unix.CapUserData, b uint32) { d.Inheritable |= b }},
	} {
		set, err := capSet(s.names)
		if err != nil {
			return err
		}
		for cap := range set {
			// A privileged container asks for every capability minipod
			// knows; this kernel may know fewer.
			if cap <= last {
				s.set(&data[cap/32], 1<<(uint(cap)%32))
			}
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}

// HeldCaps names the capabilities the calling process holds (its
// permitted set): what "every capability" means for a container this
// runtime starts, as containerd grants its own current set to privileged
// containers. Root on some nodes lacks a few (CAP_SYS_RESOURCE), which no
// container could then be given.
func HeldCaps() ([]string, error) {
	var data [2]unix.CapUserData
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return nil, fmt.Errorf("read own capabilities: %w", err)
	}
	var out []string
	for name, c := range capNames {
		if data[c/32].Permitted&(1<<(uint(c)%32)) != 0 {
			out = append(out, name)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return capNames[a] - capNames[b] })
	return out, nil
}
