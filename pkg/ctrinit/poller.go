package ctrinit

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// startPoller starts Go's poller above the descriptors ExecEnter and
// spawnCommand place in this very process just before they exec
// (EnterUserNSFd to enterExeFd).
// The runtime opens its epoll and eventfd at the lowest free numbers the
// first time anything polls, and keeps them: one of them replaced there
// would make the runtime's next poll fail and end init with "netpoll
// failed". Free numbers among them are held by /dev/null meanwhile.
func startPoller() error {
	null, err := unix.Open(os.DevNull, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("start the poller: %w", err)
	}
	held := []int{null}
	defer func() {
		for _, fd := range held {
			unix.Close(fd)
		}
	}()
	for fd := EnterUserNSFd; fd <= enterExeFd; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
			continue
		}
		if err := unix.Dup3(null, fd, unix.O_CLOEXEC); err != nil {
			return fmt.Errorf("start the poller: %w", err)
		}
		held = append(held, fd)
	}
	// A pipe is pollable: making one starts the poller.
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("start the poller: %w", err)
	}
	r.Close()
	w.Close()
	return nil
}
