package selfexe

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// SetName gives a process run from a seal a readable name: its path is
// /proc/self/fd/N, so ps and /proc/PID/comm would otherwise call it "N".
func SetName(name string) {
	b, err := unix.BytePtrFromString(name)
	if err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(b)), 0, 0, 0)
	}
}
