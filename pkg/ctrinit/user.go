package ctrinit

import (
	"fmt"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// groups are the supplementary groups a container process runs with: its
// primary group and the spec's additional ones, never those of whoever ran
// minipod (for root too).
func groups(u specs.User) []uint32 {
	return append([]uint32{u.GID}, u.AdditionalGids...)
}

// switchUser makes the calling thread (the one that will execve or fork
// the command) the container's user. The permitted capabilities survive
// the change of uid (PR_SET_KEEPCAPS, per thread, reset by execve) so
// that setCaps can then set the container's; a non-root command still
// loses them at execve, as a non-root container's processes do under
// Docker and Kubernetes, since no ambient set is granted.
func switchUser(u specs.User) error {
	gs := groups(u) // the kernel's gid_t
	// Raw syscalls: they change this thread only, which is the one that
	// execs; the Go wrappers would change every thread of the runtime.
	if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0, 0, 0, 0); e != 0 {
		return fmt.Errorf("keep capabilities across setuid: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(gs)), uintptr(unsafe.Pointer(&gs[0])), 0); e != 0 {
		return fmt.Errorf("set groups: %w", e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.GID), uintptr(u.GID), uintptr(u.GID)); e != 0 {
		return fmt.Errorf("set gid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.UID), uintptr(u.UID), uintptr(u.UID)); e != 0 {
		return fmt.Errorf("set uid %d: %w", u.UID, e)
	}
	return nil
}
