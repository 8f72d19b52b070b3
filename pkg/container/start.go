package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/selfexe"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// StartOptions says how to start one container instance.
type StartOptions struct {
	// Exe is the minipod binary to run as init: the monitor's sealed copy,
	// since init is visible to other containers of a pod that shares its
	// PID namespace.
	Exe    string
	Bundle string      // directory holding config.json
	Spec   *specs.Spec // that config.json: its namespaces are joined or created
	// Cgroup is the container's cgroup; init is born in it.
	Cgroup *cgroups.Placement
	// Stdin is the read end of the container's stdin (stdin: true), else
	// nil for /dev/null; Stdout and Stderr the write ends its output goes
	// to (nil, with a terminal: the terminal is all three).
	Stdin  *os.File
	Stdout *os.File
	Stderr *os.File
	// Console, with a terminal (spec.Process.Terminal), is init's end of a
	// socket on which it sends the terminal's master side (ReceiveConsole).
	Console *os.File
	// Namespaces are the inodes the namespaces the spec joins (by their
	// holder's /proc/PID/ns or /proc/PID/fd path) must have: a holder that
	// died or let go, its PID or fd number reused, must not lead the
	// container into another namespace.
	Namespaces map[string]uint64
	// Cancel, once closed, ends the wait for init's report: init is
	// killed and the start fails (the pod is being deleted).
	Cancel <-chan struct{}
	// Gate, if set, is the read end of a pipe init reads one byte from
	// once the container's root is built, before it takes on the
	// container's identity and runs its command; EOF instead ends the
	// start (ctrinit.AwaitGate). The pod's first containers are built
	// while its network is attached. GateDone is closed when the gate
	// opens or fails: the wait for init's report is bounded from then
	// on, not while the network, which may wait for others, is attached.
	Gate     *os.File
	GateDone <-chan struct{}
	// Spawn: the spec joins a pod's shared PID namespace, where a
	// container may trace (ctrinit.SpawnPIDNSEnv). Init is born outside
	// it and spawns the command into it; Exe is minipod-init, whose
	// entry point has the spawn role. The PID returned is the command's.
	Spawn bool
}

// reportLimit bounds how long Start waits for init's report: building a
// root filesystem takes milliseconds, minutes mean something holds init.
const reportLimit = time.Minute

// StartError is a failure inside the new container before its command ran:
// the kubelet's StartError (exit code 128).
type StartError struct{ Msg string }

func (e *StartError) Error() string { return e.Msg }

// Start forks init into the pod and waits for the handshake. It returns the
// container's host PID; on a *StartError the process has exited and the
// caller still reaps it.
func Start(o StartOptions) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("start container: %w", err)
	}
	defer r.Close()
	pid, pidfd, err := fork(o, w)
	w.Close()
	if err != nil {
		return 0, err
	}
	defer closeFD(pidfd)
	// A container of the pod can stop init (a shared PID namespace shows
	// it): its report is awaited for so long, or until canceled, then it
	// is killed.
	bound := func() { _ = r.SetReadDeadline(time.Now().Add(reportLimit)) }
	gateDone := o.GateDone
	if o.Gate == nil || gateDone == nil {
		bound()
		gateDone = nil
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-o.Cancel:
				_ = r.SetReadDeadline(time.Now())
				return
			case <-gateDone:
				bound()
				gateDone = nil
			case <-stop:
				return
			}
		}
	}()
	msg, err := io.ReadAll(io.LimitReader(r, reportMax+1))
	if o.Spawn {
		return spawnOutcome(o, pid, pidfd, msg, err)
	}
	if err != nil || len(msg) > reportMax {
		killFD(pidfd)
		return pid, readFailure(o, err)
	}
	if len(msg) > 0 {
		return pid, &StartError{Msg: printable(msg)}
	}
	return pid, nil
}

// reportMax bounds init's report: an error message, or the spawn role's
// record and why the command's exec failed. More is not init's doing (a
// process that traced it wrote into the pipe) and is not read.
const reportMax = 4096

// readFailure is why init's report could not be read: not in time
// (err), an error reading (err), or more than reportMax (nil).
func readFailure(o StartOptions, err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) && canceled(o):
		return &StartError{Msg: "the pod is being deleted"}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &StartError{Msg: fmt.Sprintf("container init did not report within %v", reportLimit)}
	case err != nil:
		return fmt.Errorf("start container: read status: %w", err)
	default:
		return &StartError{Msg: fmt.Sprintf("container init's report is longer than %d bytes", reportMax)}
	}
}

// canceled says whether the start was canceled (o.Cancel closed).
func canceled(o StartOptions) bool {
	select {
	case <-o.Cancel:
		return true
	default:
		return false
	}
}

// printable is init's report as it goes into the pod's status, which
// users read on their terminals: printable characters, line breaks and
// tabs, nothing a terminal would act on (escape sequences, bells).
func printable(msg []byte) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) || r == '\n' || r == '\t' {
			return r
		}
		return '?'
	}, string(msg))
}

// fork starts init; it returns init's PID and a pidfd of it, to kill it
// by (the monitor's reaper may reap it, and its PID be reused, first).
func fork(o StartOptions, status *os.File) (pid, pidfd int, err error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, -1, fmt.Errorf("start container: %w", err)
	}
	defer devnull.Close()
	join, flags, err := ns.FromSpec(o.Spec.Linux.Namespaces)
	if err != nil {
		return 0, -1, fmt.Errorf("start container: %w", err)
	}
	defer join.Close()
	if err := join.Expect(o.Namespaces); err != nil {
		return 0, -1, &StartError{Msg: err.Error()}
	}
	orNull := func(f *os.File) uintptr {
		if f == nil {
			return devnull.Fd()
		}
		return f.Fd()
	}
	attr := &syscall.ProcAttr{
		Env:   ctrinit.RuntimeEnv(),
		Files: []uintptr{orNull(o.Stdin), orNull(o.Stdout), orNull(o.Stderr), status.Fd()},
		Sys:   &syscall.SysProcAttr{Cloneflags: flags, Setsid: true},
	}
	if o.Console != nil {
		attr.Files = append(attr.Files, o.Console.Fd())
	}
	if o.Spawn {
		env, err := spawnEnv(join)
		if err != nil {
			return 0, -1, err
		}
		attr.Env = append(attr.Env, env)
		// Born in our PID namespace: init spawns the command into the
		// pod's.
		join = join.Without("pid")
	}
	role := ctrinit.Role
	if o.Spawn {
		role = ctrinit.SpawnedRole
	}
	argv := []string{"minipod", role, o.Bundle}
	if o.Gate != nil {
		argv = append(argv, strconv.Itoa(len(attr.Files)))
		attr.Files = append(attr.Files, o.Gate.Fd())
	}
	if u := join.UserNS(); u != nil {
		// Init builds the root as the host's root, idmapping it by the
		// pod's user namespace, then has its command join it
		// (ctrinit.Enter). It opens the namespace from the spec's path
		// itself (one more descriptor would cover the program's) and
		// checks it is this one.
		var st unix.Stat_t
		if err := unix.Fstat(int(u.Fd()), &st); err != nil {
			return 0, -1, fmt.Errorf("start container: %w", err)
		}
		attr.Env = append(attr.Env, ctrinit.UserNSEnv+"="+strconv.FormatUint(st.Ino, 10))
	}
	if err := selfexe.FitsBelow(o.Exe, len(attr.Files)); err != nil {
		return 0, -1, fmt.Errorf("start container: %w", err)
	}
	pidfd = -1
	attr.Sys.PidFD = &pidfd
	err = join.Do(func() error {
		leave, err := enterCgroup(o.Cgroup, attr.Sys)
		if err != nil {
			return err
		}
		stop := watchFork()
		pid, err = syscall.ForkExec(o.Exe, argv, attr)
		if stop() && err == nil {
			err = fmt.Errorf("init did not start within %v", forkLimit)
		}
		// The thread goes away now; failing to move it back is harmless
		// once the child exists.
		_ = leave()
		return err
	})
	if err != nil {
		closeFD(pidfd)
		return 0, -1, fmt.Errorf("start container: %w", err)
	}
	return pid, pidfd, nil
}

// enterCgroup makes the next fork of the calling thread land in the
// cgroup: v1 by moving the thread (leave moves it back), v2 by clone3
// into the directory.
func enterCgroup(p *cgroups.Placement, sys *syscall.SysProcAttr) (leave func() error, err error) {
	if p == nil {
		return func() error { return nil }, nil
	}
	if leave, err = p.JoinThread(); err != nil {
		return nil, err
	}
	if fd, ok := p.CgroupFD(); ok {
		sys.UseCgroupFD, sys.CgroupFD = true, fd
	}
	return leave, nil
}
