package monitor

import (
	"fmt"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/state"
)

// backoff numbers are the kubelet's: the first restart is immediate, then
// 10 s doubling to 300 s; a container that ran 10 minutes resets it.
const (
	initialBackoff = 10 * time.Second
	maxBackoff     = 300 * time.Second
	backoffReset   = 2 * maxBackoff
)

// onExit records a reaped process. Only the pause process and containers
// matter; orphans re-parented to the monitor are just reaped.
func (mon *monitor) onExit(e exitEvent) (changed bool) {
	if e.pid == mon.retiredPause {
		mon.retiredPause = 0 // it handed its namespaces over
		return false
	}
	if e.pid == mon.st.Pause.PID {
		mon.onPauseExit()
		return true
	}
	c, ok := mon.byPID[e.pid]
	if !ok {
		// An exec'd command, or a fork not registered yet, or an orphan
		// re-parented to us.
		if mon.execExitedNow(e) {
			// Nothing of the pod changed, but one that is over may
			// finish now that the exit is delivered.
			return mon.over()
		}
		// Nothing changes for the loop to record: a probe helper's exit
		// comes here on every HTTPS or gRPC attempt.
		mon.park(e)
		return false
	}
	// In a shared PID namespace the kernel kills every container when
	// pause, its init, dies, and their exits come before pause's own:
	// they are the sandbox's end, not the containers' failures.
	if mon.pe.nsPaths["pid"] != "" && mon.st.Pause.PID != 0 && mon.st.Pause.Ending() {
		mon.onPauseExit()
	}
	delete(mon.byPID, e.pid)
	c.pid = 0
	mon.killLeftovers(c)
	t := state.Terminated{ExitCode: exitCode(e), StartedAt: c.st.StartedAt, FinishedAt: e.when}
	if e.ws.Signaled() {
		t.Signal = int(e.ws.Signal())
	}
	t.Reason = state.ReasonCompleted
	if t.ExitCode != 0 {
		t.Reason = state.ReasonError
	}
	if c.oomKilled() {
		t.Reason = state.ReasonOOMKilled
	}
	t.Message = mon.terminationMessage(c, t.ExitCode)
	mon.terminated(c, t)
	return true
}

// onPauseExit handles the end of pause (once, whichever exit tells first).
func (mon *monitor) onPauseExit() {
	if !mon.stopped && !mon.st.Terminating && !mon.resandbox {
		mon.onSandboxExited() // the pod's namespaces lost their holder
	}
}

// oomKilled tells, from the container's cgroup's own OOM counter, whether
// the kernel killed a process of this instance for memory: the reason
// containerd reports whatever the exit code (the victim may have been a
// child; exit code 137 alone could be any SIGKILL).
func (c *ctr) oomKilled() bool {
	if c.cgroup == nil || c.oomBefore < 0 {
		return false
	}
	after, err := cgroups.OOMKills(c.cgroup)
	return err == nil && int64(after) > c.oomBefore
}

func exitCode(e exitEvent) int {
	if e.ws.Signaled() {
		return 128 + int(e.ws.Signal())
	}
	return e.ws.ExitStatus()
}

// terminated records the end of an instance and decides what follows.
// An init container the OOM killer hit has failed whatever its exit code
// (the kubelet's isInitContainerFailed: the victim may have been a child,
// and the main process gone on to exit 0): it is restarted unless the
// pod's policy is Never, which fails the pod. (The kubelet itself then
// leaves such a pod Pending for good, kubernetes#116676.)
func (mon *monitor) terminated(c *ctr, t state.Terminated) {
	c.st.State, c.st.Reason, c.st.Message = state.StateTerminated, t.Reason, t.Message
	c.st.ExitCode, c.st.Signal = t.ExitCode, t.Signal
	c.st.StartedAt, c.st.FinishedAt = t.StartedAt, t.FinishedAt
	c.st.Ready, c.st.Proc, c.st.Namespaces = false, state.Proc{}, nil
	c.st.StartupProbing = false
	c.hooking = false // a postStart result that comes later is for a gone instance
	c.stopProbes()
	if mon.st.Terminating || mon.killed || mon.completing || mon.resandbox {
		c.enter(stepDone)
		mon.stopNextSidecar()
		mon.maybeRecreate()
		return
	}
	forProbe := c.probeKill && c.probeRestart
	c.probeKill = false
	oomInit := c.init && !c.sidecar && t.ExitCode == 0 && t.Reason == state.ReasonOOMKilled
	restart := forProbe || mon.shouldRestart(c, t.ExitCode) || oomInit && mon.pod.Spec.RestartPolicy != "Never"
	if !restart {
		c.enter(stepDone)
		switch {
		case oomInit:
			mon.st.Phase, mon.st.Reason = state.PhaseFailed, ""
			mon.st.Message = fmt.Sprintf("init container %s was OOMKilled (exit code 0)", c.spec.Name)
		case c.init && !c.sidecar && t.ExitCode != 0:
			mon.st.Phase, mon.st.Reason = state.PhaseFailed, ""
			mon.st.Message = fmt.Sprintf("init container %s failed with exit code %d", c.spec.Name, t.ExitCode)
		}
		mon.advance()
		return
	}
	mon.scheduleRestart(c, t)
}

// shouldRestart applies the container's restart rules and policy, else
// the pod's (podspec.Container.RestartsAfter).
func (mon *monitor) shouldRestart(c *ctr, code int) bool {
	return c.spec.RestartsAfter(code, mon.pod.Spec.RestartPolicy, c.init)
}

func (mon *monitor) scheduleRestart(c *ctr, t state.Terminated) {
	last := t
	c.st.Last = &last
	now := time.Now()
	if !c.lastBackoff.IsZero() && now.Sub(c.lastBackoff) > backoffReset {
		c.delay = 0
	}
	d := c.delay
	c.lastBackoff = now
	c.delay = min(max(2*c.delay, initialBackoff), maxBackoff)
	if d == 0 {
		mon.restart(c)
		return
	}
	c.st.State, c.st.Reason = state.StateWaiting, state.ReasonCrashLoopBackOff
	c.st.Message = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", d, c.spec.Name, mon.pod.Name, mon.pod.Namespace, mon.pod.UID)
	mon.st.AddEvent("Warning", "BackOff", c.spec.Name, "Back-off restarting failed container "+c.spec.Name+" in pod "+mon.pod.Name+"_"+mon.pod.Namespace+"("+mon.pod.UID+")")
	mon.wait(c, retryCrash, d)
}

// onRetry is a waiting container's timer: a pull or config error is tried
// again, a crash back-off ends in a restart.
func (mon *monitor) onRetry(c *ctr) {
	c.timer = nil
	if c.step != stepWaiting || mon.st.Terminating || mon.killed {
		return // halted meanwhile
	}
	if c.retry == retryCrash {
		mon.restart(c)
		return
	}
	mon.launch(c)
}

func (mon *monitor) restart(c *ctr) {
	c.st.RestartCount++
	mon.launch(c)
}

// killLeftovers ends what the container's main process left running. In
// a PID namespace of its own the kernel does it when the namespace's init
// dies; in the pod's shared one, orphans would live on under pause, so
// the container's cgroup is emptied, as runc does for a shared namespace.
func (mon *monitor) killLeftovers(c *ctr) {
	if mon.pe.nsPaths["pid"] == "" || c.cgroup == nil {
		return
	}
	if err := cgroups.Kill(c.cgroup); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
}
