package monitor

import (
	"github.com/minipod/minipod/pkg/teardown"
	"time"

	"golang.org/x/sys/unix"
)

// beginStop starts deleting the pod: no more restarts, preStop and
// SIGTERM to every running container (sidecars last), SIGKILL when the
// grace period ends (kubelet order).
func (mon *monitor) beginStop() {
	if mon.st.Terminating {
		return
	}
	mon.st.Terminating = true
	close(mon.stopping)
	for _, c := range mon.ctrs {
		c.halt()
	}
	mon.stopAll(mon.grace())
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

// stopPause releases the pod's namespaces once no container uses them:
// the kernel starts dismantling them now, while the rest of the teardown
// goes on, as it did when pause held them.
func (mon *monitor) stopPause() {
	mon.stopped = true
	// Closing the namespaces ends the pod's network (its veth goes with
	// its network namespace).
	mon.leaveBeforeDetach()
	mon.dropLingeringVeth()
	if mon.nsHeld != nil {
		mon.nsHeld.Close()
		mon.nsHeld, mon.st.NSPaths, mon.pe.nsPaths = nil, nil, nil
	}
	if err := mon.st.Pause.Signal(unix.SIGTERM); err != nil {
		return
	}
	mon.killAt = time.After(teardown.PauseGrace)
}
