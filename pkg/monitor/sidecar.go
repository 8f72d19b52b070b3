package monitor

import (
	"time"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// Native sidecars (init containers with restartPolicy: Always) start in
// init order and let the next init container go once started; they run
// beside the app containers, restart whenever they exit, and stop last:
// after every other container has exited, one at a time, last to first,
// within what is left of the grace period. A pod completes when its app
// containers are done and none will be restarted (by the pod's
// restartPolicy Never or OnFailure, or by their own policies and rules):
// its sidecars are then stopped the same way, and do not count for the
// phase.

// markUp records that c, a sidecar, has started: running, its postStart
// hook done and its startup probe passed. It reports whether c has ever
// been up, which is what lets the next init container start.
func (c *ctr) markUp() bool {
	if !c.up && c.step == stepRunning && c.st.State == state.StateRunning && !c.st.StartupProbing {
		c.up = true
	}
	return c.up
}

// stopAll stops every running container, as the kubelet kills a pod:
// the others first (preStop, SIGTERM), the sidecars once they have
// exited; SIGKILL for all at the end of grace (killAt), at once for 0.
func (mon *monitor) stopAll(grace time.Duration) {
	if grace > 0 { // a kill at once waits for nothing, as asked
		mon.leaveEndpoints()
	}
	mon.stopBy = time.Now().Add(grace)
	for _, c := range mon.ctrs {
		if c.pid == 0 || c.sidecar && grace > 0 {
			continue
		}
		mon.st.AddEvent("Normal", "Killing", c.spec.Name, "Stopping container "+c.spec.Name)
		c.stopSent = c.instance
		mon.stopContainer(c, grace)
	}
	mon.killAt = time.After(grace)
	mon.stopNextSidecar()
}

// stopNextSidecar stops the last running sidecar once every other
// container has exited and no later sidecar is still stopping.
func (mon *monitor) stopNextSidecar() {
	if !mon.st.Terminating && !mon.killed && !mon.completing && !mon.resandbox {
		return
	}
	for _, c := range mon.ctrs {
		if !c.sidecar && (c.pid != 0 || c.step == stepStarting) {
			return
		}
	}
	for i := len(mon.ctrs) - 1; i >= 0; i-- {
		c := mon.ctrs[i]
		if !c.sidecar || c.pid == 0 {
			continue
		}
		if c.stopSent == c.instance {
			return // still stopping: the ones before it wait
		}
		c.stopSent = c.instance
		mon.st.AddEvent("Normal", "Killing", c.spec.Name, "Stopping container "+c.spec.Name)
		left := time.Until(mon.stopBy)
		if left <= 0 {
			_ = c.st.Proc.Signal(unix.SIGKILL)
			continue // nothing of grace left: no reason to wait for it
		}
		mon.stopContainer(c, left)
		return
	}
}

// maybeComplete stops the sidecars of a pod whose app containers are all
// done and will not be restarted (by the pod's restartPolicy, or by their
// own): the pod then ends Succeeded or Failed by its app containers, as a
// Job's pod does on a node.
func (mon *monitor) maybeComplete() {
	if mon.completing || mon.st.Terminating || mon.killed || mon.resandbox || !mon.st.Initialized {
		return
	}
	sidecars := false
	for _, c := range mon.ctrs {
		if !c.init && c.step != stepDone {
			return
		}
		sidecars = sidecars || c.sidecar && c.step != stepDone
	}
	if sidecars {
		mon.completePod()
	}
}

// completePod ends what still runs or waits in a pod that has reached its
// end (its app containers are done, or an init container failed for
// good), keeping the pod, its state and logs until `down`.
func (mon *monitor) completePod() {
	if mon.completing {
		return
	}
	mon.completing = true
	for _, c := range mon.ctrs {
		c.halt()
	}
	mon.stopAll(mon.grace())
}
