package seccomp

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/minipod/minipod/pkg/seccomp/internal/int80"
)

// i386 and x32 numbers the real-kernel tests use.
const (
	i386Getpid  = 20
	i386Unshare = 310
)

func init() {
	helperModes["i386-probe"] = modeI386Probe
	helperModes["i386"] = modeI386
	helperModes["native-only-i386"] = modeNativeOnly(func(r *results) { i386Call(r, "i386_getpid", i386Getpid, 0) })
	helperModes["native-only-x32"] = modeNativeOnly(func(r *results) { r.sys("x32_getpid", x32Bit|unix.SYS_GETPID) })
}

// archChecks adds the x32 calls to the default mode: x32 has the
// x86_64 audit arch, so the x32 bit is all that tells it apart.
func archChecks(r *results) {
	r.sys("x32_unshare", x32Bit|unix.SYS_UNSHARE, unix.CLONE_NEWUSER|unix.CLONE_NEWNS)
	r.sys("x32_getpid", x32Bit|unix.SYS_GETPID)
}

// i386Call makes an i386 syscall through int $0x80 and records it.
func i386Call(r *results, key string, nr, a1 uintptr) int32 {
	ret := int80.Syscall(nr, a1, 0, 0)
	if ret < 0 {
		r.errno(key, unix.Errno(-ret))
	} else {
		r.errno(key, 0)
	}
	return ret
}

// modeI386Probe makes an i386 getpid with no filter: on a kernel without
// IA32 emulation int $0x80 faults and the child dies of SIGSEGV.
func modeI386Probe(r *results) error {
	if i386Call(r, "i386_getpid", i386Getpid, 0) != int32(os.Getpid()) {
		r.add("i386_getpid_value", "wrong")
	}
	return nil
}

func modeI386(r *results) error {
	if err := loadDefault(r); err != nil {
		return err
	}
	i386Call(r, "i386_unshare", i386Unshare, unix.CLONE_NEWUSER|unix.CLONE_NEWNS)
	if i386Call(r, "i386_getpid", i386Getpid, 0) != int32(os.Getpid()) {
		r.add("i386_getpid_value", "wrong")
	}
	return nil
}

// modeNativeOnly loads a profile that allows everything but lists only
// SCMP_ARCH_X86_64, then makes the call: an ABI the profile does not
// cover must kill the process, not slip past the rules.
func modeNativeOnly(call func(*results)) func(*results) error {
	return func(r *results) error {
		p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86_64},
			Syscalls: []specs.LinuxSyscall{{Names: []string{"unshare"}, Action: specs.ActErrno}}})
		if err != nil {
			return err
		}
		if err := p.Load(); err != nil {
			return err
		}
		r.sys("getpid", unix.SYS_GETPID)
		call(r)
		return nil
	}
}
