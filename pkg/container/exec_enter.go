package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// forkEnter forks an exec'd command of a container in its pod's user
// namespace, or of one whose seccomp filter the monitor's thread may not
// load (threadMayLoad): minipod-init's enter role (ctrinit.Enter), forked
// on a thread that joined the container's namespaces and cgroup but its
// mount namespace, so that minipod-init is found in ours: nothing inside
// the container is resolved with the host's privilege. The entry point
// joins the mount namespace (fd 6) and then the user namespace, if the
// pod has one, before Go's runtime starts; Enter becomes the container's
// process as init's command did, loads its filter, and execs the
// command. It returns the child and the status pipe to await
// (awaitEnter), and with a TTY the terminal's master side, opened in the
// container's own devpts.
func forkEnter(o ExecOptions, set *ns.Set, place *cgroups.Placement, filter *seccomp.Program) (pid int, master *os.File, e *enterChild, err error) {
	p := *o.Spec.Process
	p.Args = o.Args
	handoff, err := ctrinit.WriteHandoff(&p, filter, p.NoNewPrivileges, true, set.UserNS() != nil)
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
	r, w, err := os.Pipe()
	if err != nil {
		closeIf(master)
		return 0, nil, nil, fmt.Errorf("status pipe: %w", err)
	}
	defer w.Close()
	pidfd := -1
	userns := ^uintptr(0) // none: the entry point finds no fd 4, and skips the user namespace
	if set.UserNS() != nil {
		userns = set.UserNS().Fd()
	}
	attr := &syscall.ProcAttr{
		Env: ctrinit.RuntimeEnv(),
		// ctrinit's fds: status at 3, EnterUserNSFd, the handoff, then
		// the mount namespace.
		Files: []uintptr{files[0].Fd(), files[1].Fd(), files[2].Fd(), w.Fd(), userns, handoff.Fd(), set.File("mnt").Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: o.TTY, Ctty: 0, PidFD: &pidfd},
	}
	// Opened once every file handed is, to be clear of them all.
	exe, err := selfexe.OpenClear(o.Exe, attr.Files)
	if err != nil {
		r.Close()
		closeIf(master)
		return 0, nil, nil, fmt.Errorf("open minipod-init: %w", err)
	}
	defer unix.Close(exe)
	pid, err = forkEnterRole(set.Without("mnt"), place, exe, attr)
	if err != nil {
		r.Close()
		closeIf(master)
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
		return 0, nil, nil, fmt.Errorf("%s: %w", o.Args[0], err)
	}
	return pid, master, &enterChild{status: r, pidfd: pidfd}, nil
}

// forkEnterRole forks minipod-init (exe) as the enter role with attr, on
// a thread that joined set and the container's cgroup.
func forkEnterRole(set *ns.Set, place *cgroups.Placement, exe int, attr *syscall.ProcAttr) (pid int, err error) {
	err = set.Do(func() error {
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
	return pid, err
}

// execStdio is the command's stdin, stdout and stderr: the caller's, or
// with a TTY the slave side of a terminal opened in the container's own
// devpts, returned with its master side.
func execStdio(o ExecOptions, set *ns.Set) (files []*os.File, master, slave *os.File, err error) {
	if !o.TTY {
		return []*os.File{o.Stdin, o.Stdout, o.Stderr}, nil, nil, nil
	}
	err = set.Only("mnt").Do(func() error {
		var err error
		master, slave, err = ctrinit.OpenPTY()
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return []*os.File{slave, slave, slave}, master, slave, nil
}

// enterChild is what awaitEnter needs of a forked enter: the pipe of its
// report and a pidfd, which names that process even once reaped.
type enterChild struct {
	status *os.File
	pidfd  int
	// spawned: the spawn role reports the command's PID (awaitSpawn).
	spawned bool
}

// awaitEnter reads enter's report: EOF means the command runs, a message
// that enter failed (and has exited: the pipe ended). After reportLimit (a
// container can stop enter) the child is killed, through its pidfd: the
// monitor's reaper may have reaped it meanwhile, and its pid be another
// process's. The monitor reaps it, as every child.
func awaitEnter(e *enterChild, name string) error {
	defer e.status.Close()
	defer unix.Close(e.pidfd)
	_ = e.status.SetReadDeadline(time.Now().Add(reportLimit))
	msg, err := io.ReadAll(e.status)
	if err != nil {
		_ = unix.PidfdSendSignal(e.pidfd, unix.SIGKILL, nil, 0)
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(msg) > 0 {
		return fmt.Errorf("%s: %w", name, errors.New(string(msg)))
	}
	return nil
}

func closeIf(f *os.File) {
	if f != nil {
		f.Close()
	}
}
