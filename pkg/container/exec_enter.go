package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/seccomp"
)

// forkEnter forks an exec'd command of a container in its pod's user
// namespace: the thread has joined the container's other namespaces, and
// the child runs minipod-init's enter role (ctrinit.Enter), which joins
// the user namespace before its runtime starts, becomes the container's
// process as init's command did, and execs the command. Enter reports a
// failure on a status pipe, as init does; EOF means the command runs.
func forkEnter(o ExecOptions, userns *os.File, filter *seccomp.Program, files []*os.File) (int, error) {
	p := *o.Spec.Process
	p.Args = o.Args
	handoff, err := ctrinit.WriteHandoff(&p, filter, p.NoNewPrivileges)
	if err != nil {
		return 0, err
	}
	defer handoff.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("status pipe: %w", err)
	}
	defer r.Close()
	attr := &syscall.ProcAttr{
		Env: []string{"GOMAXPROCS=1"},
		// ctrinit's fds: status at 3, then EnterUserNSFd and the handoff.
		Files: []uintptr{files[0].Fd(), files[1].Fd(), files[2].Fd(), w.Fd(), userns.Fd(), handoff.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: o.TTY, Ctty: 0},
	}
	stop := watchFork()
	pid, err := syscall.ForkExec(o.Exe, []string{"minipod", ctrinit.EnterRole}, attr)
	if stop() && err == nil {
		err = fmt.Errorf("the command did not start within %v", forkLimit)
	}
	w.Close()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", o.Args[0], err)
	}
	_ = r.SetReadDeadline(time.Now().Add(reportLimit))
	msg, err := io.ReadAll(r)
	if err == nil && len(msg) > 0 {
		err = errors.New(string(msg))
	}
	if err != nil {
		// The monitor reaps it, as every child.
		return 0, fmt.Errorf("%s: %w", o.Args[0], err)
	}
	return pid, nil
}
