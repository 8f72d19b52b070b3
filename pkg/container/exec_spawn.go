package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// forkSpawn forks an exec'd command of a container whose processes may
// trace it (ExecOptions.Spawn). A fork of the monitor shares its memory
// until it execs (Go forks with CLONE_VM), and one born in the container's
// PID namespace could be stopped there by a tracer holding CAP_SYS_PTRACE
// in the host's user namespace, and made to run its code in the monitor.
// Here nothing the container can see is ever the monitor's: the fork is
// born in our PID namespace, joins every other namespace and the cgroup,
// and execs minipod-init's enter role; Enter joins the PID namespace for
// its children, becomes the container's process, and execs the spawn
// role, which forks the command (a plain fork) and waits for it. The
// waiter is the PID returned: it ends as the command does. It returns the
// status pipe to await (awaitEnter), and with a TTY the master side.
func forkSpawn(o ExecOptions, set *ns.Set, place *cgroups.Placement, filter *seccomp.Program) (pid int, master *os.File, e *enterChild, err error) {
	pidNS, mnt := set.File("pid"), set.File("mnt")
	if pidNS == nil || mnt == nil {
		return 0, nil, nil, errors.New("the container has no PID or mount namespace of its own to spawn the command in")
	}
	if call := spawnDenied(filter); call != "" {
		return 0, nil, nil, fmt.Errorf("the container's seccomp profile denies %s, which a command needs to be started safely where a container that sees it may trace it (CAP_SYS_PTRACE): exec is refused", call)
	}
	p := *o.Spec.Process
	p.Args = o.Args
	handoff, err := ctrinit.WriteSpawnHandoff(&p, filter, p.NoNewPrivileges)
	if err != nil {
		return 0, nil, nil, err
	}
	defer handoff.Close()
	files, master, slave, err := execStdio(o, set)
	if err != nil {
		return 0, nil, nil, err
	}
	if slave != nil {
		defer slave.Close()
	}
	fail := func(err error) (int, *os.File, *enterChild, error) {
		closeIf(master)
		return 0, nil, nil, err
	}
	// minipod-init twice: once handed (fd 8, for Enter to exec as the
	// spawn role), once to exec here, at a number clear of the handed.
	handed, err := unix.Open(o.Exe, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("open minipod-init: %w", err))
	}
	defer unix.Close(handed)
	r, w, err := os.Pipe()
	if err != nil {
		return fail(fmt.Errorf("status pipe: %w", err))
	}
	defer w.Close()
	pidfd := -1
	attr := &syscall.ProcAttr{
		Env: ctrinit.RuntimeEnv(),
		// ctrinit's fds: status at 3, no user namespace at 4, the
		// handoff, the mount and PID namespaces, then minipod-init.
		Files: []uintptr{files[0].Fd(), files[1].Fd(), files[2].Fd(), w.Fd(), ^uintptr(0), handoff.Fd(), mnt.Fd(), pidNS.Fd(), uintptr(handed)},
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: o.TTY, Ctty: 0, PidFD: &pidfd},
	}
	exe, err := selfexe.OpenClear(o.Exe, attr.Files)
	if err != nil {
		r.Close()
		return fail(fmt.Errorf("open minipod-init: %w", err))
	}
	defer unix.Close(exe)
	err = set.Without("mnt", "pid").Do(func() error {
		leave, err := place.JoinThread()
		if err != nil {
			return err
		}
		defer leave() //nolint:errcheck // the thread is thrown away anyway
		stop := watchFork()
		pid, err = syscall.ForkExec("/proc/self/fd/"+strconv.Itoa(exe), []string{"minipod", ctrinit.EnterRole}, attr)
		if stop() && err == nil {
			err = fmt.Errorf("the command did not start within %v", forkLimit)
		}
		return err
	})
	if err != nil {
		r.Close()
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
		return fail(fmt.Errorf("%s: %w", o.Args[0], err))
	}
	return pid, master, &enterChild{status: r, pidfd: pidfd}, nil
}
