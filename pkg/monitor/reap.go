package monitor

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// exitEvent is one reaped child of the monitor.
type exitEvent struct {
	pid  int
	ws   unix.WaitStatus
	when time.Time
}

// reaper is what the main goroutine needs to reap for the monitor: boot
// hands it over once the monitor is subreaper and before its first fork.
type reaper struct {
	exits chan<- exitEvent
	kick  <-chan struct{}
}

var reaping = make(chan reaper, 1)

// reap waits for every child of the monitor (containers, pause, and orphans
// re-parented to us as subreaper) and reports each exit. When there is no
// child at all it sleeps until kicked after the next fork.
func reap(exits chan<- exitEvent, kick <-chan struct{}) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, unix.EINTR):
		case errors.Is(err, unix.ECHILD):
			<-kick
		case err == nil:
			exits <- exitEvent{pid: pid, ws: ws, when: time.Now().UTC()}
		default:
			time.Sleep(10 * time.Millisecond) // unexpected; do not spin
		}
	}
}
