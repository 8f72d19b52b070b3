package seccomp

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// cstr returns s as a NUL-terminated C string.
func cstr(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}

// addr is the address of p for a raw syscall argument; callers keep p
// alive (runtime.KeepAlive) until the syscall returned.
func addr[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }
