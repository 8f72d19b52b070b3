package container

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/minipod/minipod/pkg/ns"
	"golang.org/x/sys/unix"
)

// StartOptions says how to start one container instance.
type StartOptions struct {
	Exe    string  // the minipod binary (the monitor's /proc/self/exe)
	Bundle string  // directory holding config.json
	PodNS  *ns.Set // the pod's namespaces to join (from the pause process)
	// SharePID: the pod's PID namespace is in PodNS; do not create a new one.
	SharePID bool
	Stdout   *os.File // write ends the container's output goes to
	Stderr   *os.File
}

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
	pid, err := fork(o, w)
	w.Close()
	if err != nil {
		return 0, err
	}
	msg, err := io.ReadAll(r)
	if err != nil {
		return pid, fmt.Errorf("start container: read status: %w", err)
	}
	if len(msg) > 0 {
		return pid, &StartError{Msg: string(msg)}
	}
	return pid, nil
}

func fork(o StartOptions, status *os.File) (int, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, fmt.Errorf("start container: %w", err)
	}
	defer devnull.Close()
	flags := uintptr(unix.CLONE_NEWNS)
	if !o.SharePID {
		flags |= unix.CLONE_NEWPID
	}
	attr := &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{devnull.Fd(), o.Stdout.Fd(), o.Stderr.Fd(), status.Fd()},
		Sys:   &syscall.SysProcAttr{Cloneflags: flags, Setsid: true},
	}
	var pid int
	err = o.PodNS.Do(func() error {
		var ferr error
		pid, ferr = syscall.ForkExec(o.Exe, []string{"minipod", Role, o.Bundle}, attr)
		return ferr
	})
	if err != nil {
		return 0, fmt.Errorf("start container: %w", err)
	}
	return pid, nil
}
