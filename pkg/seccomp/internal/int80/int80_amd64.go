package int80

// Syscall makes i386 system call nr with up to three arguments (32-bit
// values only: pointers into a 64-bit address space would be cut) and
// returns the kernel's result, -errno on failure.
func Syscall(nr, a1, a2, a3 uintptr) int32 {
	return int32(syscall3(nr, a1, a2, a3))
}

func syscall3(nr, a1, a2, a3 uintptr) uintptr
