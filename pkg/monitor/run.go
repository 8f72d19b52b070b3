package monitor

import (
	"fmt"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/selfexe"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/teardown"
	"os"
	"time"
)

// run is the monitor's event loop. Every change of the pod happens on this
// goroutine, so the state record needs no locking.
func (mon *monitor) run() int {
	mon.armDeadline()
	mon.advance()
	changed := true
	for {
		if changed {
			mon.maybeComplete()
			mon.updatePhase()
			mon.save()
			mon.followServices()
			mon.maybeReport()
			if mon.finished() {
				break
			}
		}
		changed = true
		container.CollectSoon() // once the pod is up: see container.Collect
		select {
		case e := <-mon.exits:
			changed = mon.onExit(e)
		case c := <-mon.retry:
			mon.onRetry(c)
		case r := <-mon.pulled:
			mon.onPulled(r)
		case c := <-mon.backoffShown:
			mon.onBackoffShown(c)
		case <-mon.term:
			mon.beginStop()
		case <-mon.killAt:
			mon.killAll()
		case a := <-mon.execAsks:
			// A question, not a change: no state to write.
			mon.answerExec(a)
			changed = false
		case f := <-mon.execForks:
			mon.onExecForked(f)
			changed = mon.over() // a pod that is over may finish now
		case r := <-mon.spawned:
			mon.onSpawned(r)
		case msg := <-mon.evictions:
			mon.evict(msg)
		case <-mon.deadline:
			mon.onDeadline()
		case r := <-mon.probed:
			mon.onProbe(r)
		case r := <-mon.hooked:
			mon.onHooked(r)
		case lt := <-mon.logLost:
			mon.onLogTrouble(lt)
		case <-mon.execGrace:
			mon.execGrace, mon.execGraceOver = nil, true
		case <-mon.sandboxDue:
			mon.recreateSandbox()
		case <-mon.volumesDue:
			mon.advance()
		case t := <-mon.imageVolDue:
			mon.onImageVolDue(t)
		case <-mon.tidyDue:
			mon.tidyDue = nil
			mon.tidy()
			changed = false
		}
	}
	return mon.finish()
}

// finished reports whether the loop is over: the pod reached a terminal
// phase or is being deleted, and pause plus every container have exited.
func (mon *monitor) finished() bool {
	if !mon.over() {
		return false
	}
	if len(mon.byPID) > 0 || mon.anyStarting() {
		if !mon.st.Terminating && !mon.killed {
			mon.completePod() // a terminal pod must not leave stragglers
		}
		return false
	}
	// Commands exec'd into containers that just ended die with them: wait
	// for their exits (bounded), so that `exec` tells its caller the code;
	// and for the forks of those under way (answerExec).
	if (len(mon.execWaits) > 0 || mon.execsOut > 0) && !mon.execGraceOver {
		if mon.execGrace == nil {
			mon.execGrace = time.After(execDrain)
		}
		return false
	}
	if !mon.stopped {
		mon.stopPause()
		return !mon.st.Pause.Alive()
	}
	return !mon.st.Pause.Alive()
}

// over reports whether the pod reached a terminal phase or is being
// deleted.
func (mon *monitor) over() bool {
	return mon.st.Terminating || mon.st.Phase == state.PhaseSucceeded || mon.st.Phase == state.PhaseFailed
}

// finish ends the monitor. A deleted pod is removed entirely; a pod that
// completed keeps its state and logs for `get` and `logs` until `down`.
func (mon *monitor) finish() int {
	if mon.execSock != nil {
		mon.execSock.Close()
	}
	mon.awaitSessions()
	mon.drainLogs()
	if mon.st.Terminating {
		mon.teardown()
		return 0
	}
	// The sandbox is gone: free the address, hostPorts and cgroup now, as
	// the kubelet does for a finished pod; `down` removes the files later.
	if err := teardown.Sandbox(roots, mon.st, heldPorts); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
	heldPorts = nil
	mon.st.Finished = true
	mon.save()
	return 0
}

// drainLogs waits until the last output of every container is in its log
// file. A process that inherited a container's stdout and escaped its
// namespaces could hold the pipe open forever, hence the bound.
func (mon *monitor) drainLogs() {
	done := make(chan struct{})
	go func() { mon.copiers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		fmt.Fprintln(os.Stderr, "monitor: log copiers still busy after 2s; giving up on them")
	}
}

// teardown removes everything the pod had on disk. The tmpfs mounts live in
// this process's mount namespace; they are unmounted first so RemoveAll can
// delete their mount points, and would vanish with us anyway.
func (mon *monitor) teardown() {
	name := ""
	if mon.st != nil {
		name = mon.st.Name
	}
	if name == "" {
		return
	}
	if err := teardown.Pod(roots, mon.st, heldPorts); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
	heldPorts = nil
}

// maybeReport tells a waiting `up` once the pod is running (every app
// container has started) or cannot get there on its own.
func (mon *monitor) maybeReport() {
	// A start in flight ends in moments either way: report the pod as it
	// then is, not with one container still being created.
	if mon.ready == nil || mon.anyStarting() {
		return
	}
	if why, ok := mon.waitsForObjects(); ok {
		mon.report("pending " + why)
		return
	}
	if msg, done := readiness(mon.st, mon.waitReady); done {
		mon.report(msg)
	} else if why, failed := mon.readinessFailed(); failed {
		mon.report("unready " + why)
	}
}

// readinessFailed says why `up` should wait no longer for readiness:
// every app container started, and each container it still waits for
// failed its readiness probe failureThreshold times in a row. The kubelet
// keeps such a pod out of its Services until the probe passes, which may
// be never; `up -d` creates it with a warning (kubectl apply does not
// wait at all).
func (mon *monitor) readinessFailed() (string, bool) {
	if !mon.waitReady || !mon.st.Initialized {
		return "", false
	}
	why := ""
	for _, c := range mon.ctrs {
		if c.init && !c.sidecar {
			continue
		}
		if !c.init && !c.st.Started {
			return "", false
		}
		if c.st.State != state.StateRunning || c.st.Ready && !c.st.StartupProbing {
			continue
		}
		if c.probes == nil || c.probes.unready == "" {
			return "", false
		}
		if why == "" {
			why = "container " + c.spec.Name + ": " + c.probes.unready
		}
	}
	return why, why != ""
}

func (mon *monitor) report(msg string) {
	if mon.ready == nil {
		return
	}
	trace("report " + msg)
	fmt.Fprintln(mon.ready, msg)
	mon.ready.Close()
	mon.ready = nil
	// The caller has its answer and is about to print it and exit. The
	// tidy-up takes a few ms (3-8 measured); done at once, on a 2-core
	// machine where the containers' own start competes too, it held
	// `up -d` back by ~8%.
	mon.tidyDue = time.After(tidyDelay)
}

// tidyDelay is how long after its report the monitor tidies up.
const tidyDelay = 50 * time.Millisecond

// tidy lets go of what starting the pod needed, once it is up: the
// garbage of its start-up (pulls, parsing, forks) and the pages of the
// binary that start-up brought in. Not earlier: dropping the binary's
// pages while containers still start makes every page of code they use
// fault in again, one by one (~6% of `up -d`).
// The trim comes last: each page of code run after it faults back in
// with its 15 neighbours (fault-around, which MADV_RANDOM does not turn
// off), and naming the threads after it kept ~1 MB of the binary resident.
func (mon *monitor) tidy() {
	container.Collect(true)
	lean.NoHugePages()
	selfexe.NameThreads(selfexe.Tasks())
	lean.TrimText()
	trace("text trimmed")
}

// grace is the pod's grace period, with `down --grace-period` applied.
func (mon *monitor) grace() time.Duration { return roots.Grace(mon.pod, mon.pod.Name) }

// execDrain bounds the wait for exec'd commands once the pod is over, and
// for the sessions answering their callers.
const execDrain = 2 * time.Second

// awaitSessions gives exec and attach sessions the moment they need to
// tell their callers how things ended, before the monitor exits.
func (mon *monitor) awaitSessions() {
	done := make(chan struct{})
	go func() {
		mon.serving.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(execDrain):
	}
}
