package seccomp

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// defaultCaps are the capabilities docker and containerd give a container.
var defaultCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

func specWithCaps(caps ...string) *specs.Spec {
	return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
}

func runtimeDefault(t testing.TB, caps ...string) *specs.LinuxSeccomp {
	t.Helper()
	s, err := Choose(RuntimeDefault, "", "", specWithCaps(caps...))
	if err != nil || s == nil {
		t.Fatalf("Choose RuntimeDefault: %v, %v", s, err)
	}
	return s
}

func TestDefaultProfile(t *testing.T) {
	withAdmin := append(append([]string{}, defaultCaps...), "CAP_SYS_ADMIN")
	_, deflt := vmFor(t, runtimeDefault(t, defaultCaps...), "amd64")
	_, admin := vmFor(t, runtimeDefault(t, withAdmin...), "amd64")
	x86 := func(name string) uint32 { return nrOf(t, name, colX86_64) }
	plainClone := uint64(unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_THREAD | unix.CLONE_SYSVSEM)
	cases := []struct {
		name      string
		arch, nr  uint32
		arg0      uint64
		want      uint32
		wantAdmin uint32
	}{
		{"getpid", archX86_64, x86("getpid"), 0, retAllow, retAllow},
		{"read", archX86_64, x86("read"), 0, retAllow, retAllow},
		{"write", archX86_64, x86("write"), 0, retAllow, retAllow},
		{"unshare", archX86_64, x86("unshare"), unix.CLONE_NEWUSER, retEPERM, retAllow},
		{"mount", archX86_64, x86("mount"), 0, retEPERM, retAllow},
		{"keyctl", archX86_64, x86("keyctl"), 0, retEPERM, retEPERM},
		{"add_key", archX86_64, x86("add_key"), 0, retEPERM, retEPERM},
		{"request_key", archX86_64, x86("request_key"), 0, retEPERM, retEPERM},
		{"clone plain", archX86_64, x86("clone"), plainClone, retAllow, retAllow},
		{"clone fork", archX86_64, x86("clone"), uint64(unix.SIGCHLD), retAllow, retAllow},
		{"clone newuser", archX86_64, x86("clone"), unix.CLONE_NEWUSER | uint64(unix.SIGCHLD), retEPERM, retAllow},
		{"clone newns", archX86_64, x86("clone"), unix.CLONE_NEWNS, retEPERM, retAllow},
		{"clone3", archX86_64, x86("clone3"), 0, retENOSYS, retAllow},
		{"socket AF_INET", archX86_64, x86("socket"), unix.AF_INET, retAllow, retAllow},
		{"socket AF_UNIX", archX86_64, x86("socket"), unix.AF_UNIX, retAllow, retAllow},
		{"socket AF_NETLINK", archX86_64, x86("socket"), unix.AF_NETLINK, retAllow, retAllow},
		{"socket AF_VSOCK", archX86_64, x86("socket"), unix.AF_VSOCK, retEPERM, retEPERM},
		{"socket AF_ALG", archX86_64, x86("socket"), unix.AF_ALG, retEPERM, retEPERM},
		{"socket AF_INET high bits", archX86_64, x86("socket"), 1<<32 | unix.AF_INET, retEPERM, retEPERM},
		{"personality 0", archX86_64, x86("personality"), 0, retAllow, retAllow},
		{"personality query", archX86_64, x86("personality"), 0xffffffff, retAllow, retAllow},
		{"personality UNAME26|LINUX32", archX86_64, x86("personality"), 0x20008, retAllow, retAllow},
		{"personality ADDR_NO_RANDOMIZE", archX86_64, x86("personality"), 0x0040000, retEPERM, retEPERM},
		{"reboot", archX86_64, x86("reboot"), 0, retEPERM, retEPERM},
		{"bpf", archX86_64, x86("bpf"), 0, retEPERM, retAllow},
		{"ptrace", archX86_64, x86("ptrace"), 0, retAllow, retAllow},
		{"i386 getpid", archI386, 20, 0, retAllow, retAllow},
		{"i386 unshare", archI386, 310, 0, retEPERM, retAllow},
		{"i386 socketcall", archI386, 102, 0, retAllow, retAllow},
		{"i386 clone newuser", archI386, 120, unix.CLONE_NEWUSER, retEPERM, retAllow},
		{"x32 getpid", archX86_64, x32Bit | 39, 0, retAllow, retAllow},
		{"x32 unshare", archX86_64, x32Bit | 272, 0, retEPERM, retAllow},
		{"x32 execve", archX86_64, x32Bit | 520, 0, retAllow, retAllow},
		{"x32 64-bit execve number", archX86_64, x32Bit | 59, 0, retEPERM, retEPERM},
		{"aarch64 on amd64", archAARCH64, 172, 0, retKillPro, retKillPro},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := runVM2(deflt, c.arch, c.nr, 0, c.arg0); got != c.want {
				t.Errorf("default caps: %#x, want %#x", got, c.want)
			}
			if got := runVM2(admin, c.arch, c.nr, 0, c.arg0); got != c.wantAdmin {
				t.Errorf("with CAP_SYS_ADMIN: %#x, want %#x", got, c.wantAdmin)
			}
		})
	}
}

func TestDefaultProfileSize(t *testing.T) {
	all := []string{"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_MODULE", "CAP_SYS_PACCT", "CAP_SYS_PTRACE",
		"CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_SYS_NICE", "CAP_SYSLOG", "CAP_BPF",
		"CAP_PERFMON", "CAP_DAC_READ_SEARCH"}
	for _, c := range []struct {
		name string
		caps []string
	}{{"no caps", nil}, {"default caps", defaultCaps}, {"every gated cap", append(all, defaultCaps...)}} {
		for _, goarch := range []string{"amd64", "arm64"} {
			f, _ := familyOf(goarch)
			p, err := compileFor(runtimeDefault(t, c.caps...), f)
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, goarch, err)
			}
			if p.Len() > maxInsns/2 {
				t.Errorf("%s %s: %d instructions, over half the kernel's limit", c.name, goarch, p.Len())
			}
			t.Logf("%s on %s: %d instructions", c.name, goarch, p.Len())
		}
	}
}

// The default profile compiled for arm64: the same decisions with
// aarch64 and arm numbers, including arm's private syscalls.
func TestDefaultProfileARM64(t *testing.T) {
	s := runtimeDefault(t, defaultCaps...)
	// GetDefaultProfile fills architectures for the GOARCH it runs on;
	// give the arm64 ones as it would there.
	s.Architectures = []specs.Arch{specs.ArchAARCH64, specs.ArchARM}
	s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: []string{"set_tls", "cacheflush"}, Action: specs.ActAllow})
	_, run := vmFor(t, s, "arm64")
	for _, c := range []struct {
		name     string
		arch, nr uint32
		want     uint32
	}{
		{"aarch64 getpid", archAARCH64, 172, retAllow},
		{"aarch64 unshare", archAARCH64, 97, retEPERM},
		{"aarch64 clone3", archAARCH64, 435, retENOSYS},
		{"arm getpid", archARM, 20, retAllow},
		{"arm unshare", archARM, 337, retEPERM},
		{"arm set_tls", archARM, 0xf0005, retAllow},
		{"x86_64 on arm64", archX86_64, 39, retKillPro},
	} {
		if got := run(seccompData{arch: c.arch, nr: c.nr}); got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, got, c.want)
		}
	}
}
