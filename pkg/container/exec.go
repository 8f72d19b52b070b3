package container

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/minipod/minipod/pkg/ns"
	"golang.org/x/sys/unix"
)

// ExecOptions describes a command to run inside a running container.
type ExecOptions struct {
	PID  int // the container's main process (host PID)
	Args []string
	Env  []string
	Cwd  string
	Caps []string // the container's capability set
	// Stdin, Stdout, Stderr become the command's fds 0, 1, 2.
	Stdin, Stdout, Stderr *os.File
	// TTY makes Stdin the command's controlling terminal (a pty slave).
	TTY bool
}

// Exec runs a command in every namespace of the container (ipc, uts, net,
// pid, mnt), with its environment and capabilities, and returns its exit
// status the way a shell reports it (128+N for signal N).
func Exec(o ExecOptions) (int, error) {
	set, err := ns.Open(o.PID, ns.Kinds...)
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	defer set.Close()
	var pid int
	err = set.Do(func() error {
		var ferr error
		pid, ferr = forkInside(o)
		return ferr
	})
	if err != nil {
		return 0, err
	}
	return wait(pid)
}

// forkInside runs on the thread that joined the container: lookups see the
// container's root, and the capability limits apply to the child only,
// because this thread dies afterwards.
func forkInside(o ExecOptions) (int, error) {
	path, err := lookPath(o.Args[0], o.Env)
	if err != nil {
		return 0, err
	}
	if err := limitCaps(o.Caps); err != nil {
		return 0, err
	}
	cwd := o.Cwd
	if cwd == "" {
		cwd = "/"
	}
	attr := &syscall.ProcAttr{
		Dir:   cwd,
		Env:   o.Env,
		Files: []uintptr{o.Stdin.Fd(), o.Stdout.Fd(), o.Stderr.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: o.TTY, Setctty: o.TTY, Ctty: 0},
	}
	pid, err := syscall.ForkExec(path, o.Args, attr)
	if err != nil {
		return 0, fmt.Errorf("exec %s: %w", o.Args[0], err)
	}
	return pid, nil
}

func wait(pid int) (int, error) {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("wait for exec: %w", err)
		}
		return ExitCode(ws), nil
	}
}

// ExitCode turns a wait status into a shell-style exit code.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
