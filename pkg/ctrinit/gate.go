package ctrinit

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// AwaitGate blocks until the monitor lets init go on: one byte on the
// descriptor fd names. EOF (the monitor gave up on the pod, or died) or
// anything else is an error, and the command never runs. The descriptor,
// once it names one, is closed either way.
func AwaitGate(fd string) error {
	n, err := strconv.Atoi(fd)
	if err != nil || n <= statusFd {
		return fmt.Errorf("bad gate descriptor %q", fd)
	}
	unix.CloseOnExec(n)
	gate := os.NewFile(uintptr(n), "gate")
	defer gate.Close()
	var b [1]byte
	for {
		got, err := gate.Read(b[:])
		switch {
		case got == 1:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return errors.New("the pod's sandbox did not come up")
		}
	}
}
