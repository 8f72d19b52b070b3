package specconv

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Security is a container's confinement, resolved by the runtime from its
// securityContext, the pod's and the image.
type Security struct {
	// User runs the process: uid, gid and the supplementary groups.
	User specs.User
	// Caps is the capability set (bounding, effective and permitted
	// alike), a privileged container's too; nil means DefaultCaps (or
	// AllCaps when privileged), empty means none.
	Caps []string
	// NoNewPrivileges is set with allowPrivilegeEscalation: false.
	NoNewPrivileges bool
	// Privileged gives what containerd gives a privileged container.
	Privileged bool
	// ReadOnlyRoot mounts the root filesystem read-only.
	ReadOnlyRoot bool
	// UnmaskedProc (procMount: Unmasked) leaves /proc without masked or
	// read-only paths, as containerd does.
	UnmaskedProc bool
	// OOMScoreAdj is the kubelet's adjustment for the pod's QoS class.
	OOMScoreAdj *int
}

// BoundingCaps is the container's capability set as its config.json
// will hold it (a copy): Caps, or what nil stands for.
func (s Security) BoundingCaps() []string {
	caps := s.Caps
	switch {
	case caps == nil && s.Privileged:
		caps = AllCaps
	case caps == nil:
		caps = DefaultCaps
	}
	return append([]string(nil), caps...)
}

func (s Security) capabilities() *specs.LinuxCapabilities {
	caps := s.BoundingCaps()
	return &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
}

// privilege turns s into a privileged container's spec, as containerd's
// CRI does it: no masked or read-only paths, /sys writable, every device
// of the node present and allowed (its capabilities come from Security).
func privilege(s *specs.Spec, hostDevices []specs.LinuxDevice) {
	s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
	for i, m := range s.Mounts {
		if m.Destination == "/sys" {
			s.Mounts[i].Options = []string{"nosuid", "noexec", "nodev", "rw"}
		}
	}
	s.Linux.Devices = append(append([]specs.LinuxDevice(nil), Devices...), hostDevices...)
	s.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
}

// AllCaps is every capability a privileged container gets (init keeps
// those the kernel knows).
var AllCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
	"CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}
