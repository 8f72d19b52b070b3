package monitor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// advance starts whatever the pod needs next: the first unfinished init
// container, or, once all succeeded, every app container that has not run.
func (mon *monitor) advance() {
	if mon.st.Terminating || mon.st.Phase == state.PhaseFailed {
		return
	}
	if len(mon.waitingVols) > 0 && !mon.mountWaiting() {
		return
	}
	mon.bringImageVolumes()
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
		// As the kubelet: the next container starts once this one's hook
		// is done; one that cannot start (an image volume failed) holds
		// none back.
		if postStart(c) != nil && c.st.ImageVolume == "" && (c.step == stepIdle || c.step == stepPulling || c.step == stepStarting) {
			break
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
// CreateContainerConfigError (or CreateContainerError) and tries again
// in configRetry, as the kubelet's pod worker does after a failed sync:
// the manifest may ask for what the image cannot give, or for a profile
// not installed yet, and nothing of the container ever ran.
//
// A ConfigMap or Secret the node does not have yet is looked for again
// every objectPoll, with one event per message: it may be applied any
// moment, and the container should start when it is.
func (mon *monitor) configFailed(c *ctr, ce *ConfigError) {
	// A postStart hook of c held the containers after it while it
	// started; the kubelet goes on to the next when a start fails.
	defer mon.advance()
	again := c.st.Reason == ce.reason() && c.st.Message == ce.Msg
	c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, ce.reason(), ce.Msg
	if errors.Is(ce, podspec.ErrObjectNotFound) {
		c.missingObject = ce.Msg
		if !again {
			mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+ce.Msg)
		}
		mon.wait(c, retryConfig, objectPoll)
		return
	}
	c.missingObject = ""
	if !again {
		// The kubelet's recorder folds a repeated event into a count;
		// every 10 s for good, it would push the others out.
		mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+ce.Msg)
	}
	mon.wait(c, retryConfig, configRetry)
}

// configRetry is how soon a container that could not be created is tried
// again: the kubelet's pod worker requeues a failed sync after 10 s,
// without doubling (that is for containers that ran and exited).
const configRetry = 10 * time.Second

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
	if c.rerun {
		c.rerun = false
		c.st.RestartCount++
	}
	if c.st.State == state.StateTerminated {
		// A restart: the last instance is in lastState already; this one
		// is being created, which the phase must not mistake for an end.
		c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, state.ReasonContainerCreating, ""
	}
	c.spawnInit = mon.spawnsInit(c)
	g := mon.gate
	go func() {
		forked := time.Now()
		pid, err := mon.spawn(c, g)
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
	case r.err == nil && r.c.sidecar && (mon.st.Terminating || mon.completing || mon.resandbox):
		// A sidecar that started during the stop still stops last.
		mon.stopNextSidecar()
	case r.err == nil && (mon.st.Terminating || mon.completing || mon.resandbox):
		// The stop came while it started: it gets what is left of the
		// grace period, then SIGKILL, as the others.
		r.c.stopSent = r.c.instance
		mon.stopContainer(r.c, max(time.Until(mon.stopBy), 0))
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
		// A spawned command whose report went wrong may run on, where
		// the start cannot tell its PID.
		mon.killLeftovers(c)
		mon.terminated(c, state.Terminated{ExitCode: 128, Reason: state.ReasonStartError, Message: msg, StartedAt: now, FinishedAt: now})
		return
	}
	c.pid = pid
	c.enter(stepRunning)
	mon.byPID[pid] = c
	c.st.State, c.st.Reason, c.st.Message = state.StateRunning, "", ""
	c.missingObject = ""
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
	c.st.StopSignal = podspec.SignalName(c.stopSignal())
	mon.updatePhase()
	// With its event in, the loop's save after this finds nothing new to
	// write: one write per container start, on the path of `up`.
	mon.st.AddEvent("Normal", "Started", c.spec.Name, fmt.Sprintf("Started container %s", c.spec.Name))
	mon.save() // a monitor killed right now must not leave an unrecorded container
	if e, ok := mon.claim(pid, forked); ok {
		_ = mon.onExit(e) // it was over before we heard it had begun
		return
	}
	if c.sidecar {
		mon.advance() // started already, without a hook or startup probe
	}
}

// spawn prepares a fresh writable layer and log file and forks the
// container into its cgroup.
func (mon *monitor) spawn(c *ctr, g *gate) (int, error) {
	if usesPodIP(c.spec) {
		// Its environment holds the address: nothing of it is made
		// before the network is attached.
		if err := g.wait(); err != nil {
			return 0, err
		}
		g = nil
	}
	spec, filter, err := makeBundle(mon.pe, c)
	if err != nil {
		return 0, err
	}
	c.exec = &execCache{spec: spec, filter: filter}
	trace(c.spec.Name + ": bundle written")
	if call := container.SpawnDenied(filter); c.spawnInit && call != "" {
		return 0, &ConfigError{Msg: fmt.Sprintf("container %s: its seccomp profile denies %s, which its command needs to be started safely where a container of the pod may trace it (CAP_SYS_PTRACE)", c.spec.Name, call), why: state.ReasonCreateContainerError}
	}
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
	opt := mon.logOpt
	opt.Report = mon.logReporter(c.spec.Name)
	w, err := logs.Create(mon.logDir, c.spec.Name, c.st.RestartCount, opt)
	if err != nil {
		return 0, err
	}
	cio := &ctrIO{tty: c.spec.TTY, once: c.spec.StdinOnce}
	c.io = cio
	held, err := g.pass()
	if err != nil {
		w.Close()
		return 0, err
	}
	if held != nil {
		defer held.Close() // init has its own copy once forked
	}
	if c.spec.TTY {
		return mon.spawnTTY(c, spec, place, w, cio, held, g)
	}
	ends, err := openStdio(c.spec.Stdin)
	if err != nil {
		w.Close()
		return 0, err
	}
	cio.stdin = ends.stdinW
	c.logsDone = copyLogs(&mon.copiers, w, cio, stream{logs.Stdout, ends.outR}, stream{logs.Stderr, ends.errR})
	pid, err := container.Start(container.StartOptions{
		Exe: initExe(), Bundle: c.bundle, Spec: spec, Cgroup: place, Stdin: ends.stdinR, Stdout: ends.outW, Stderr: ends.errW, Cancel: mon.stopping, Namespaces: mon.st.Namespaces, Gate: held, GateDone: g.settledChan(),
		Spawn: c.spawnInit,
	})
	trace(c.spec.Name + ": init reported")
	ends.closeChildSide()
	if pid > 0 {
		mon.kickReaper()
	}
	return pid, err
}

// spawnTTY starts a container with a terminal (tty: true): init opens it
// in the container's devpts and sends the master side back; its output
// is the log's stdout, and its stdin (stdin: true) what attach writes.
func (mon *monitor) spawnTTY(c *ctr, spec *specs.Spec, place *cgroups.Placement, w *logs.Writer, cio *ctrIO, held *os.File, g *gate) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		w.Close()
		return 0, fmt.Errorf("create console socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "console"), os.NewFile(uintptr(fds[1]), "console")
	defer ours.Close()
	pid, err := container.Start(container.StartOptions{
		Exe: initExe(), Bundle: c.bundle, Spec: spec, Cgroup: place, Console: theirs, Cancel: mon.stopping, Namespaces: mon.st.Namespaces, Gate: held, GateDone: g.settledChan(),
		Spawn: c.spawnInit,
	})
	theirs.Close()
	trace(c.spec.Name + ": init reported")
	if pid > 0 {
		mon.kickReaper()
	}
	if err != nil {
		w.Close()
		return pid, err
	}
	master, err := container.ReceiveConsole(ours)
	if err != nil {
		// Its output would go nowhere: it must not run.
		_ = unix.Kill(pid, unix.SIGKILL)
		w.Close()
		return pid, &container.StartError{Msg: err.Error()}
	}
	cio.master = master
	if c.spec.Stdin {
		cio.stdin = master
	}
	c.logsDone = copyLogs(&mon.copiers, w, cio, stream{logs.Stdout, ptyOut{master}})
	return pid, nil
}

// stdioEnds are a container's stdin (stdin: true), stdout and stderr
// pipes: the child's sides go to init, the monitor keeps the others.
type stdioEnds struct {
	stdinR, stdinW, outR, outW, errR, errW *os.File
}

func openStdio(stdin bool) (e stdioEnds, err error) {
	var all []*os.File
	pipe := func(r, w **os.File) {
		if err == nil {
			if *r, *w, err = os.Pipe(); err == nil {
				all = append(all, *r, *w)
			}
		}
	}
	if stdin {
		pipe(&e.stdinR, &e.stdinW)
	}
	pipe(&e.outR, &e.outW)
	pipe(&e.errR, &e.errW)
	if err != nil {
		for _, f := range all {
			f.Close()
		}
		return e, fmt.Errorf("create container pipes: %w", err)
	}
	return e, nil
}

// closeChildSide closes what init took: EOF then comes from the
// container's side only.
func (e stdioEnds) closeChildSide() {
	for _, f := range []*os.File{e.stdinR, e.outW, e.errW} {
		if f != nil {
			f.Close()
		}
	}
}

// stream is one output stream of a container for copyLogs.
type stream struct {
	name string
	r    io.Reader
}

// copyLogs drains the container's output into the CRI log, and to its
// attach sessions, until the container and every process holding its
// output have gone; then the sessions end and its stdin closes. The copier
// that ends last does that: no goroutine of its own waits for them through
// the container's life.
func copyLogs(all *sync.WaitGroup, w *logs.Writer, cio *ctrIO, streams ...stream) (done <-chan struct{}) {
	finished := make(chan struct{})
	all.Add(1)
	var left atomic.Int32
	left.Store(int32(len(streams)))
	for _, s := range streams {
		go func(s stream) {
			copyStream(w, cio, s)
			if left.Add(-1) == 0 {
				cio.end()
				w.Close()
				close(finished)
				all.Done()
			}
		}(s)
	}
	return finished
}

// copyStream copies one stream into the log until its end, and closes it.
func copyStream(w *logs.Writer, cio *ctrIO, s stream) {
	if c, ok := s.r.(io.Closer); ok {
		defer c.Close()
	}
	if err := w.Copy(s.name, teeOut{r: s.r, cio: cio, stream: s.name}); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: copy %s: %v\n", s.name, err)
	}
}
