package specconv

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DefaultCaps is the capability set containerd's CRI (and Docker) give a
// non-privileged container: what a Kubernetes user expects.
var DefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// MaskedPaths and ReadonlyPaths are the kubelet's defaults
// (pkg/securitycontext/util.go), kept in sync with moby.
var (
	MaskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// DefaultPath is added when neither image nor pod sets PATH (as containerd).
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func device(path string, major, minor int64) specs.LinuxDevice {
	mode := os.FileMode(0o666)
	uid, gid := uint32(0), uint32(0)
	return specs.LinuxDevice{Path: path, Type: "c", Major: major, Minor: minor, FileMode: &mode, UID: &uid, GID: &gid}
}

// Devices are the nodes runtime-spec calls the default devices.
var Devices = []specs.LinuxDevice{
	device("/dev/null", 1, 3), device("/dev/zero", 1, 5), device("/dev/full", 1, 7),
	device("/dev/random", 1, 8), device("/dev/urandom", 1, 9), device("/dev/tty", 5, 0),
}

// baseMounts are the kernel filesystems every container gets, in mount
// order. /dev/shm is not here: it is the pod's, bound in by podMounts.
func baseMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
	}
}

// DeviceRules is the device cgroup allowlist of every container: deny
// everything, then what runc always allows (containerd's CRI adds nothing
// for a non-privileged container): creating device nodes (m) but not
// opening them, and read/write/mknod of the spec's default devices, the
// container's own ptys, /dev/ptmx and /dev/net/tun. A node the container
// makes for the host's disk or /dev/kmsg cannot be opened.
func DeviceRules() []specs.LinuxDeviceCgroup {
	rule := func(typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
		r := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
		if major >= 0 {
			r.Major = &major
		}
		if minor >= 0 {
			r.Minor = &minor
		}
		return r
	}
	const every = -1
	return []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		rule("c", every, every, "m"), rule("b", every, every, "m"),
		rule("c", 1, 3, "rwm"), rule("c", 1, 5, "rwm"), rule("c", 1, 7, "rwm"),
		rule("c", 1, 8, "rwm"), rule("c", 1, 9, "rwm"), rule("c", 5, 0, "rwm"),
		rule("c", 5, 2, "rwm"), rule("c", 136, every, "rwm"), rule("c", 10, 200, "rwm"),
	}
}
