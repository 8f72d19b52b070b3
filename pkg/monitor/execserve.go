package monitor

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/execwire"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// execTarget is what the event loop tells an exec about its container.
type execTarget struct {
	proc   state.Proc
	run    *execCache
	cgroup cgroups.Dirs
	place  *execPlace
	err    error
	// io and logsDone are the instance's streams, for attach.
	io       *ctrIO
	logsDone <-chan struct{}
	// tracers: a container that sees this one's processes may trace them;
	// spawn: they are the pod's own, in a PID namespace not the host's.
	tracers, spawn bool
	// note: the container was defaulted; for the command's stderr.
	note string
}

// execCache is what every exec into one container instance needs: the
// spec its config.json holds and the seccomp filter its init loaded, both
// made once by makeBundle (which put a sentinel in the profile's place: the
// program is some 3 KB of the monitor's heap a container, the default
// profile some 30 KB).
type execCache struct {
	spec   *specs.Spec
	filter *seccomp.Program
}

// execPlace is the placement of a container's exec'd commands in its
// cgroup, opened at its first exec and kept for the monitor's life:
// cgroups.Place opens two files per v1 hierarchy (~0.26 ms of every exec
// here), and the container's cgroup is the same for every instance of
// it. A failed open is tried again at the next exec.
type execPlace struct {
	mu sync.Mutex
	p  *cgroups.Placement
}

func (e *execPlace) open(d cgroups.Dirs) (*cgroups.Placement, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.p == nil {
		p, err := cgroups.Place(d)
		if err != nil {
			return nil, err
		}
		e.p = p
	}
	return e.p, nil
}

// execAsk asks the event loop, which owns the pod's state, for a target.
// A preStop hook runs while the pod is being deleted; nothing else does.
type execAsk struct {
	container string
	stopping  bool
	reply     chan execTarget
}

// execForked tells the event loop about an exec'd command, whose exit
// code it sends on done once reaped.
type execForked struct {
	pid    int
	forked time.Time
	done   chan int
	failed bool // nothing was forked: the loop only counts it back
}

// listenExec opens the pod's exec socket. The run directory is root's
// only; the path goes through an fd of it because a pod name may be
// longer than a socket address. The socket is made here and handed to
// the net package, whose own listen first reads the kernel's backlog
// limit from /proc through a 64 KiB buffer: a sixteenth of the heap
// the monitor's start made.
func listenExec(dir string) (*net.UnixListener, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open exec socket: %w", err)
	}
	defer d.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(d.Fd())) + "/" + state.ExecSocket
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open exec socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close() // FileListener keeps a duplicate
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return nil, fmt.Errorf("open exec socket: %w", err)
	}
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return nil, fmt.Errorf("open exec socket: %w", err)
	}
	l, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("open exec socket: %w", err)
	}
	return l.(*net.UnixListener), nil
}

// acceptExecs serves exec requests until the listener closes.
func (mon *monitor) acceptExecs(l *net.UnixListener) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		mon.serving.Add(1)
		go func() {
			defer mon.serving.Done()
			mon.serveExec(c)
		}()
	}
}

func (mon *monitor) serveExec(c *net.UnixConn) {
	defer c.Close()
	trace("exec: accepted")
	if err := peerIsRoot(c); err != nil {
		return
	}
	var req execwire.Request
	fds, err := execwire.Recv(c, &req, 3)
	if err != nil {
		return
	}
	defer execwire.CloseAll(fds)
	if req.Attach {
		mon.serveAttach(c, req, fds)
		return
	}
	done, err := mon.startExec(c, req, fds)
	if err != nil {
		_ = execwire.Send(c, execwire.Started{Error: err.Error()})
		return
	}
	code := <-done
	trace("exec: reaped")
	_ = execwire.Send(c, execwire.Exited{Code: code})
}

// startExec starts the command and tells the caller its PID (and hands it
// the terminal); the returned channel yields its exit code.
func (mon *monitor) startExec(c *net.UnixConn, req execwire.Request, fds []*os.File) (chan int, error) {
	if len(req.Args) == 0 {
		return nil, errors.New("exec: no command")
	}
	if !req.TTY && len(fds) != 3 {
		return nil, fmt.Errorf("exec: %d descriptors, want stdin, stdout and stderr", len(fds))
	}
	trace("exec: request")
	pid, master, done, err := mon.execIn(req.Container, false, req.Args, req.TTY, fds)
	if err != nil {
		return nil, err
	}
	execwire.CloseAll(fds) // the command has its own copies: EOF reaches the caller when it exits
	var send []*os.File
	if master != nil {
		defer master.Close()
		send = append(send, master)
	}
	if err := execwire.Send(c, execwire.Started{PID: pid}, send...); err != nil {
		return nil, err
	}
	return done, nil
}

// execIn starts args in container name, with stdio as its stdin, stdout
// and stderr (or, with tty, a terminal whose master side it returns); done
// yields its exit code once the monitor has reaped it. Off the loop.
func (mon *monitor) execIn(name string, stopping bool, args []string, tty bool, stdio []*os.File) (pid int, master *os.File, done chan int, err error) {
	t := mon.askExec(name, stopping)
	trace("exec: target")
	if t.err != nil {
		return 0, nil, nil, t.err
	}
	if t.note != "" && len(stdio) == 3 {
		// Before the command's own output, on the caller's stderr.
		_, _ = stdio[2].WriteString(t.note)
	}
	// The loop counts this exec out until it hears of the fork, whatever
	// becomes of it (see answerExec).
	reported := false
	defer func() {
		if !reported {
			mon.execForks <- execForked{failed: true}
		}
	}()
	place, err := t.place.open(t.cgroup)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("exec: %w", err)
	}
	eo := container.ExecOptions{PID: t.proc.PID, Start: t.proc.Start, Spec: t.run.spec, Filter: t.run.filter, Placement: place, Args: args, TTY: tty, Exe: initExe(), Tracers: t.tracers, Spawn: t.spawn}
	if !tty {
		eo.Stdin, eo.Stdout, eo.Stderr = stdio[0], stdio[1], stdio[2]
	}
	forked := time.Now()
	pid, master, err = container.Exec(eo)
	trace("exec: forked")
	if err != nil {
		return 0, nil, nil, err
	}
	done = make(chan int, 1)
	mon.execForks <- execForked{pid: pid, forked: forked, done: done}
	reported = true
	return pid, master, done, nil
}

// answerExec answers askExec on the event loop. A container handed out
// counts as an exec under way until its fork is reported (onExecForked):
// a pod that ends meanwhile (the exec'd command may be what ends it, and
// its exit reach the loop before its fork is reported) still waits for
// it, so that the caller hears its exit code rather than a closed socket.
func (mon *monitor) answerExec(a execAsk) {
	t := mon.execTarget(a.container, a.stopping)
	if t.err == nil {
		mon.execsOut++
	}
	a.reply <- t
}

// onExecForked registers an exec'd command, on the event loop.
func (mon *monitor) onExecForked(f execForked) {
	mon.execsOut--
	if f.failed {
		return
	}
	if e, ok := mon.claim(f.pid, f.forked); ok {
		f.done <- exitCode(e)
		return
	}
	mon.execWaits[f.pid] = f.done
}

// execExitedNow delivers an exec'd command's exit; false if pid is not one.
func (mon *monitor) execExitedNow(e exitEvent) bool {
	done, ok := mon.execWaits[e.pid]
	if ok {
		done <- exitCode(e)
		delete(mon.execWaits, e.pid)
	}
	return ok
}

// askExec gets the container's process from the event loop.
func (mon *monitor) askExec(name string, stopping bool) execTarget {
	reply := make(chan execTarget, 1)
	mon.execAsks <- execAsk{container: name, stopping: stopping, reply: reply}
	return <-reply
}

// execTarget answers askExec, on the event loop. No name is the default
// container, as kubectl picks it (defaultContainer): a CLI that did not
// read the pod's state first asks so.
func (mon *monitor) execTarget(name string, stopping bool) execTarget {
	if !mon.st.Bound && (mon.st.SchedulingGated || mon.st.Unschedulable != "") {
		return execTarget{err: fmt.Errorf("pod %s does not have a host assigned", mon.pod.Name)}
	}
	note := ""
	if name == "" {
		var err error
		if name, note, err = mon.defaultContainer(); err != nil {
			return execTarget{err: err}
		}
	}
	if mon.st.Terminating && !stopping {
		return execTarget{err: fmt.Errorf("cannot exec into pod %s: it is being deleted", mon.pod.Name)}
	}
	for _, c := range mon.ctrs {
		if c.spec.Name != name {
			continue
		}
		if c.step != stepRunning {
			return execTarget{err: fmt.Errorf("cannot exec into container %s of pod %s: container is not running (%s)", name, mon.pod.Name, c.st.State)}
		}
		tracers := mon.tracersSee(c)
		return execTarget{proc: c.st.Proc, run: c.exec, cgroup: mon.execCgroup(c.cgroup), place: &c.execPlace, io: c.io, logsDone: c.logsDone, tracers: tracers, spawn: tracers && !mon.pod.Spec.HostPID, note: note}
	}
	return execTarget{err: fmt.Errorf("container %s is not valid for pod %s", name, mon.pod.Name)}
}

// defaultContainer is kubectl's default for exec: the first app
// container, with a note for stderr when the pod has several.
func (mon *monitor) defaultContainer() (name, note string, err error) {
	spec := mon.pod.Spec
	if len(spec.Containers) == 0 {
		return "", "", fmt.Errorf("pod %s has no containers", mon.pod.Name)
	}
	name = spec.Containers[0].Name
	if len(spec.Containers)+len(spec.InitContainers) > 1 {
		var all []string
		for _, c := range spec.Containers {
			all = append(all, c.Name)
		}
		for _, c := range spec.InitContainers {
			all = append(all, c.Name+" (init)")
		}
		note = fmt.Sprintf("Defaulted container %q out of: %s\n", name, strings.Join(all, ", "))
	}
	return name, note, nil
}

// execCgroup is where exec'd commands go: the container's cgroup. On a
// v1 host with a hybrid (controller-less) unified hierarchy the unified
// leaf is left out: it limits nothing, and entering it would cost the
// monitor a move of its whole process there and back per exec.
func (mon *monitor) execCgroup(d cgroups.Dirs) cgroups.Dirs {
	if mon.driver.V2 {
		return d
	}
	out := cgroups.Dirs{}
	for k, v := range d {
		if k != "" {
			out[k] = v
		}
	}
	return out
}

// peerIsRoot refuses anyone but root, whatever the socket's permissions.
func peerIsRoot(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if cred.Uid != 0 {
		return fmt.Errorf("exec socket: peer uid %d is not root", cred.Uid)
	}
	return nil
}

// tracersSee says whether a process that can see c's may hold
// CAP_SYS_PTRACE: a container that can (c itself, or any of the pod's when
// they share a PID namespace) with it in its bounding set, or anything of
// the host's where the pod shares the host's PID namespace.
func (mon *monitor) tracersSee(c *ctr) bool {
	if mon.pod.Spec.HostPID {
		return true
	}
	share := mon.pod.Spec.ShareProcessNamespace != nil && *mon.pod.Spec.ShareProcessNamespace
	for _, o := range mon.ctrs {
		if (o == c || share) && o.mayTrace {
			return true
		}
	}
	return false
}
