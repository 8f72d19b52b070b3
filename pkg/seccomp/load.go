package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Load installs the program on the calling OS thread only: no TSYNC, so
// the caller must hold runtime.LockOSThread and never unlock it (the
// thread execve's or exits), or the Go runtime would run other goroutines
// under the filter. The filter is inherited by children forked from the
// thread and survives execve.
//
// Without no_new_privs the kernel requires CAP_SYS_ADMIN (in the thread's
// user namespace), so that an unprivileged process cannot filter a setuid
// program it then runs; EACCES otherwise.
func (p *Program) Load() error {
	if len(p.insns) == 0 {
		return errors.New("load seccomp filter: empty program")
	}
	prog := unix.SockFprog{Len: uint16(len(p.insns)), Filter: &p.insns[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(p.flags), uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(p)
	if errno == unix.EACCES {
		return fmt.Errorf("load seccomp filter (needs no_new_privs or CAP_SYS_ADMIN): %w", errno)
	}
	if errno != 0 {
		return fmt.Errorf("load seccomp filter: %w", errno)
	}
	return nil
}
