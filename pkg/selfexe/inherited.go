package selfexe

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// SealInherited marks every inherited descriptor above stderr close-on-exec, so
// nothing the caller left open (a terminal, a socket, a directory of the
// host) can travel through the monitor into a container: the class of
// leak behind runc's CVE-2024-21626. Descriptors minipod hands on on
// purpose are passed explicitly and dup2'd, which clears the flag.
//
// It says when it could do neither (close_range refused, and no /proc):
// a container's start must then fail, not go on with what it inherited.
func SealInherited() error {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return nil
	}
	ents, err := os.ReadDir("/proc/self/fd") // kernels before 5.11, or a filter refusing close_range
	if err != nil {
		return fmt.Errorf("mark inherited descriptors close-on-exec: %w", err)
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}
