package selfexe

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// processName is what SetName named the process, for NameThreads.
var processName string

// SetName gives a process run from a seal a readable name: its path is
// /proc/self/fd/N, so ps and /proc/PID/comm would otherwise call it "N".
func SetName(name string) {
	processName = name
	b, err := unix.BytePtrFromString(name)
	if err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(b)), 0, 0, 0)
	}
}
