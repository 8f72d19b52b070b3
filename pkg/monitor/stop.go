package monitor

import (
	"github.com/minipod/minipod/pkg/teardown"
	"time"

	"golang.org/x/sys/unix"
)

// beginStop starts deleting the pod: no more restarts, SIGTERM to every
// running container, SIGKILL when the grace period ends (kubelet order).
func (mon *monitor) beginStop() {
	if mon.st.Terminating {
		return
	}
	mon.st.Terminating = true
	close(mon.stopping)
	for _, c := range mon.ctrs {
		c.halt()
	}
	grace := mon.grace()
	sig := unix.SIGTERM
	if grace == 0 {
		sig = unix.SIGKILL
	}
	for _, c := range mon.byPID {
		mon.st.AddEvent("Normal", "Killing", c.spec.Name, "Stopping container "+c.spec.Name)
		if sig == unix.SIGKILL {
			_ = c.st.Proc.Signal(sig)
		} else {
			mon.stopContainer(c, grace)
		}
	}
	mon.killAt = time.After(grace)
}

// killAll ends the grace period: SIGKILL to whatever still runs, pause too.
func (mon *monitor) killAll() {
	mon.killAt = nil
	for _, c := range mon.byPID {
		_ = c.st.Proc.Signal(unix.SIGKILL)
	}
	if mon.stopped {
		_ = mon.st.Pause.Signal(unix.SIGKILL)
	}
}

// stopPause releases the pod's namespaces once no container uses them.
func (mon *monitor) stopPause() {
	mon.stopped = true
	if err := mon.st.Pause.Signal(unix.SIGTERM); err != nil {
		return
	}
	mon.killAt = time.After(teardown.PauseGrace)
}
