package monitor

import (
	"fmt"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/teardown"
)

// A pod whose pause process dies has lost its sandbox. As the kubelet
// does, a pod whose containers may restart (restartPolicy Always or
// OnFailure) has its containers stopped and gets a new sandbox: a new
// pause with new namespaces and network attachment, then every container
// started again, init containers first, each counting a restart. A
// restartPolicy Never pod is failed instead (fail.go); as in the kubelet,
// only the pod's policy counts here, not a container's own. Sandboxes that keep
// dying are re-created with the crash back-off's delays.

// onSandboxExited handles the death of the pod's pause process.
func (mon *monitor) onSandboxExited() {
	if mon.pod.Spec.RestartPolicy == "Never" || mon.killed || mon.completing {
		mon.st.AddEvent("Normal", "SandboxChanged", "", "Pod sandbox changed: the pause process exited")
		mon.stopped = true // nothing left to stop
		mon.failPod(state.ReasonSandboxExited, "the pod's pause process exited", mon.grace())
		return
	}
	mon.st.AddEvent("Normal", "SandboxChanged", "", "Pod sandbox changed, it will be killed and re-created.")
	mon.resandbox = true
	for _, c := range mon.ctrs {
		// Ended for good before the sandbox died: it had its run.
		c.doneForGood = !c.init && c.step == stepDone && c.st.State == state.StateTerminated
		c.halt()
	}
	mon.stopAll(mon.grace())
	mon.maybeRecreate()
}

// maybeRecreate makes the new sandbox once every container has exited,
// after the back-off when sandboxes keep dying.
func (mon *monitor) maybeRecreate() {
	if !mon.resandbox || len(mon.byPID) > 0 || mon.anyStarting() || mon.anyPulling() || mon.sandboxTimer != nil {
		return
	}
	now := time.Now()
	if !mon.lastSandbox.IsZero() && now.Sub(mon.lastSandbox) > backoffReset {
		mon.sandboxDelay = 0
	}
	d := mon.sandboxDelay
	mon.sandboxDelay = min(max(2*mon.sandboxDelay, initialBackoff), maxBackoff)
	mon.sandboxTimer = time.AfterFunc(d, func() { mon.sandboxDue <- struct{}{} })
}

// recreateSandbox replaces the dead sandbox and starts the pod over.
func (mon *monitor) recreateSandbox() {
	mon.sandboxTimer = nil
	if !mon.resandbox || mon.st.Terminating || mon.killed {
		return
	}
	mon.killAt = nil // the old stop's deadline must not reach the new containers
	mon.lastSandbox = time.Now()
	if err := teardown.Network(roots, mon.st, heldPorts); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
	heldPorts = nil
	if err := mon.newSandbox(); err != nil {
		mon.resandbox = false
		mon.stopped = true
		mon.failPod(state.ReasonSandboxExited, "the pod's sandbox could not be re-created: "+err.Error(), 0)
		return
	}
	mon.resandbox = false
	mon.rewind()
	mon.advance()
}

// newSandbox forks a pause into the pod's cgroup and attaches it.
func (mon *monitor) newSandbox() error {
	place, err := mon.pauseCgroup()
	if err != nil {
		return err
	}
	p, err := mon.forkPause(place)
	if err != nil {
		return err
	}
	if err := mon.attachNetwork(p.PID); err != nil {
		return err
	}
	if err := p.Ready(); err != nil {
		return err
	}
	if err := mon.sandboxHeld(p); err != nil {
		return err
	}
	mon.retirePause()
	return nil
}

// rewind makes every container start again in the new sandbox, init
// containers first, as on a new pod; one that ran counts a restart, its
// last instance kept as its last state. An app container that had ended
// for good before the sandbox died (it succeeded under OnFailure, or its
// own policy and rules did not restart it) stays done: it is not run
// again, as the kubelet's status would not let it leave its terminated
// state.
func (mon *monitor) rewind() {
	plainInits := false
	for _, c := range mon.ctrs {
		plainInits = plainInits || c.init && !c.sidecar
		if c.doneForGood {
			continue
		}
		if c.st.State == state.StateTerminated {
			last := state.Terminated{ExitCode: c.st.ExitCode, Signal: c.st.Signal, Reason: c.st.Reason, Message: c.st.Message, StartedAt: c.st.StartedAt, FinishedAt: c.st.FinishedAt}
			c.st.Last = &last
			c.rerun = true
		}
		c.up, c.hooking = false, false
		c.enter(stepIdle)
		c.st.State, c.st.Message = state.StateWaiting, ""
		c.st.Reason = state.ReasonContainerCreating
		if c.init || plainInits {
			c.st.Reason = state.ReasonPodInitializing
		}
	}
	mon.st.Initialized = !plainInits
}

// anyPulling: a pull in flight still owns its container (onPulled).
func (mon *monitor) anyPulling() bool {
	for _, c := range mon.ctrs {
		if c.step == stepPulling {
			return true
		}
	}
	return false
}
