package monitor

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// advance starts whatever the pod needs next: the first unfinished init
// container, or, once all succeeded, every app container that has not run.
func (mon *monitor) advance() {
	if mon.st.Terminating || mon.st.Phase == state.PhaseFailed {
		return
	}
	for _, c := range mon.ctrs {
		if !c.init {
			continue
		}
		if c.sidecar && c.markUp() {
			continue // a started sidecar runs on beside what follows
		}
		if !c.sidecar && c.st.State == state.StateTerminated && c.st.ExitCode == 0 {
			continue
		}
		if c.step == stepIdle {
			mon.launch(c)
		}
		return // init containers run one at a time
	}
	if !mon.st.Initialized {
		mon.st.Initialized = true
		for _, c := range mon.ctrs {
			if !c.init && c.st.Reason == state.ReasonPodInitializing {
				c.st.Reason = state.ReasonContainerCreating
			}
		}
	}
	var batch []*ctr
	for _, c := range mon.ctrs {
		if c.init {
			continue
		}
		if c.hooking {
			break // its postStart hook holds the containers after it
		}
		if c.step == stepIdle && mon.ensureImage(c) {
			batch = append(batch, c)
		}
		if postStart(c) != nil && (c.step == stepIdle || c.step == stepPulling || c.step == stepStarting) {
			break // as the kubelet: the next container starts once this one's hook is done
		}
	}
	mon.startAll(batch)
}

// launch starts an instance of c once its image is ready; a pull in
// progress calls it again when done.
func (mon *monitor) launch(c *ctr) {
	if mon.ensureImage(c) {
		mon.start(c)
	}
}

// startAll starts app containers in parallel, as the kubelet does: each
// start is mostly waiting on the kernel (namespaces, mounts, exec), so the
// pod is up in about the time of its slowest container.
func (mon *monitor) startAll(batch []*ctr) {
	for _, c := range batch {
		mon.start(c)
	}
}

// configFailed keeps c waiting with the kubelet's
// CreateContainerConfigError and tries again later (10 s doubling to
// 5 min): the manifest may ask for what the image cannot give, and
// nothing of the container ever ran.
func (mon *monitor) configFailed(c *ctr, ce *ConfigError) {
	c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, state.ReasonCreateContainerConfigError, ce.Msg
	mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+ce.Msg)
	c.cfgDelay = min(max(2*c.cfgDelay, imageBackoff), maxImageBackoff)
	mon.wait(c, retryConfig, c.cfgDelay)
}

// spawnResult is the outcome of one container start.
type spawnResult struct {
	c      *ctr
	pid    int
	err    error
	forked time.Time
}

// start runs one instance of c off the event loop: a start waits on the
// kernel and on init's report, which a container of the pod can delay
// (Start bounds it), and the loop must go on meanwhile (exits, `down`).
// Until its result is back, c is starting and belongs to that goroutine.
func (mon *monitor) start(c *ctr) {
	// Only an idle, pulled, waiting or just-ended container gets here
	// (lifecycle.go): a start in flight is never started again, except by
	// its own failure, which restarts it.
	c.enter(stepStarting)
	if c.st.State == state.StateTerminated {
		// A restart: the last instance is in lastState already; this one
		// is being created, which the phase must not mistake for an end.
		c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, state.ReasonContainerCreating, ""
	}
	go func() {
		forked := time.Now()
		pid, err := mon.spawn(c)
		mon.spawned <- spawnResult{c: c, pid: pid, err: err, forked: forked}
	}()
}

// onSpawned applies a start's outcome, on the event loop. Failures before
// the command ran are a terminated StartError instance, handled like any
// other exit.
func (mon *monitor) onSpawned(r spawnResult) {
	mon.started(r.c, r.pid, r.err, r.forked)
	switch {
	case r.err == nil && mon.killed:
		_ = r.c.st.Proc.Signal(unix.SIGKILL)
	case r.err == nil && (mon.st.Terminating || mon.completing):
		r.c.stopSent = r.c.instance
		_ = r.c.st.Proc.Signal(unix.SIGTERM) // the stop came while it started
	}
	if !mon.anyStarting() {
		trace("containers started")
	}
}

func (mon *monitor) anyStarting() bool {
	for _, c := range mon.ctrs {
		if c.step == stepStarting {
			return true
		}
	}
	return false
}

// started records the outcome of spawn.
func (mon *monitor) started(c *ctr, pid int, err error, forked time.Time) {
	now := time.Now().UTC()
	var se *container.StartError
	var ce *ConfigError
	if errors.As(err, &ce) {
		mon.configFailed(c, ce)
		return
	}
	if err != nil {
		msg := err.Error()
		if errors.As(err, &se) {
			msg = se.Msg
		}
		mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+msg)
		mon.terminated(c, state.Terminated{ExitCode: 128, Reason: state.ReasonStartError, Message: msg, StartedAt: now, FinishedAt: now})
		return
	}
	c.pid = pid
	c.enter(stepRunning)
	mon.byPID[pid] = c
	c.st.State, c.st.Reason, c.st.Message = state.StateRunning, "", ""
	c.st.StartedAt, c.st.FinishedAt, c.st.ExitCode, c.st.Signal = now, time.Time{}, 0, 0
	c.st.Started = true
	c.instance++
	c.st.Proc = state.Identify(pid)
	if postStart(c) != nil {
		// Not running (nor started) until its postStart hook is done.
		// A sidecar's hook holds the init containers after it.
		c.hooking = true
		c.st.State, c.st.Reason, c.st.Started = state.StateWaiting, state.ReasonContainerCreating, false
		mon.runPostStart(c)
	} else {
		mon.startProbes(c)
	}
	c.st.Namespaces = ns.Inodes(pid)
	c.st.User = processUser(c.exec.spec.Process.User)
	mon.updatePhase()
	mon.save() // a monitor killed right now must not leave an unrecorded container
	mon.st.AddEvent("Normal", "Started", c.spec.Name, fmt.Sprintf("Started container %s", c.spec.Name))
	if e, ok := mon.claim(pid, forked); ok {
		mon.onExit(e) // it was over before we heard it had begun
		return
	}
	if c.sidecar {
		mon.advance() // started already, without a hook or startup probe
	}
}

// spawn prepares a fresh writable layer and log file and forks the
// container into its cgroup.
func (mon *monitor) spawn(c *ctr) (int, error) {
	spec, err := makeBundle(mon.pe, c)
	if err != nil {
		return 0, err
	}
	c.exec = &execCache{spec: spec}
	trace(c.spec.Name + ": bundle written")
	place, err := mon.containerCgroup(c, spec)
	if err != nil {
		return 0, err
	}
	trace(c.spec.Name + ": cgroup ready")
	defer place.Close()
	c.oomBefore = -1
	if n, err := cgroups.OOMKills(c.cgroup); err == nil {
		c.oomBefore = int64(n)
	}
	if err := freshLayer(c.layer); err != nil {
		return 0, err
	}
	// Only this instance's log and the previous one's are kept, as the
	// kubelet keeps them: restarts must not pile up logs.
	if err := logs.Prune(mon.logDir, c.spec.Name, c.st.RestartCount-1); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
	w, err := logs.Create(mon.logDir, c.spec.Name, c.st.RestartCount, mon.logOpt)
	if err != nil {
		return 0, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		w.Close()
		return 0, fmt.Errorf("create stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		w.Close()
		outR.Close()
		outW.Close()
		return 0, fmt.Errorf("create stderr pipe: %w", err)
	}
	c.logsDone = copyLogs(&mon.copiers, w, outR, errR)
	pid, err := container.Start(container.StartOptions{
		Exe: selfExe, Bundle: c.bundle, Spec: spec, Cgroup: place, Stdout: outW, Stderr: errW, Cancel: mon.stopping,
	})
	trace(c.spec.Name + ": init reported")
	outW.Close()
	errW.Close()
	if pid > 0 {
		mon.kickReaper()
	}
	return pid, err
}

// copyLogs drains both pipes into the CRI log until the container and every
// process holding its output have gone.
func copyLogs(all *sync.WaitGroup, w *logs.Writer, outR, errR *os.File) (done <-chan struct{}) {
	var wg sync.WaitGroup
	finished := make(chan struct{})
	all.Add(1)
	for _, s := range []struct {
		name string
		r    *os.File
	}{{logs.Stdout, outR}, {logs.Stderr, errR}} {
		wg.Add(1)
		go func(name string, r *os.File) {
			defer wg.Done()
			defer r.Close()
			if err := w.Copy(name, r); err != nil {
				fmt.Fprintf(os.Stderr, "monitor: copy %s: %v\n", name, err)
			}
		}(s.name, s.r)
	}
	go func() {
		wg.Wait()
		w.Close()
		close(finished)
		all.Done()
	}()
	return finished
}
