package teardown

import (
	"errors"
	"time"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// StopProcs ends processes that are not our children (the monitor is
// gone): SIGTERM, wait up to grace on their pidfds, then SIGKILL and wait.
func StopProcs(procs []state.Proc, grace time.Duration) {
	var live []state.Proc
	for _, p := range procs {
		if p.Signal(unix.SIGTERM) == nil {
			live = append(live, p)
		}
	}
	if waitGone(live, grace) {
		return
	}
	for _, p := range live {
		_ = p.Signal(unix.SIGKILL)
	}
	waitGone(live, 5*time.Second)
}

// waitGone waits until every process has exited or the timeout passes.
func waitGone(procs []state.Proc, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for _, p := range procs {
		if !WaitExit(p, time.Until(deadline)) {
			return false
		}
	}
	return true
}

// WaitExit waits on a pidfd (no polling) for p to exit.
func WaitExit(p state.Proc, timeout time.Duration) bool {
	fd, err := unix.PidfdOpen(p.PID, 0)
	if err != nil {
		return true // already gone
	}
	defer unix.Close(fd)
	if !p.Alive() {
		return true
	}
	ms := int(timeout / time.Millisecond)
	if ms < 0 {
		ms = 0
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return n > 0 || !p.Alive()
	}
}
