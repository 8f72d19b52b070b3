package pod

import (
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/creack/pty"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ExecOptions are the flags of `minipod exec`.
type ExecOptions struct {
	Pod, Container string
	Stdin, TTY     bool
	Args           []string
	Err            io.Writer
}

// Exec runs a command in a running container and returns its exit code.
// How the command runs (namespaces, cgroup, user, groups, capabilities,
// seccomp, environment, working directory) comes from the container's
// config.json, as for its init.
func Exec(o ExecOptions) (int, error) {
	st, err := roots.Load(o.Pod)
	if err != nil {
		return 0, err
	}
	c, err := pickContainer(st, o.Container, o.Err)
	if err != nil {
		return 0, err
	}
	if c.State != state.StateRunning || !c.Proc.Alive() {
		return 0, fmt.Errorf("cannot exec into container %s of pod %s: container is not running (%s)", c.Name, st.Name, c.State)
	}
	spec, err := container.ReadSpec(roots.Bundle(st.Name, c.Name))
	if err != nil {
		return 0, err
	}
	dirs, err := driverOf(st).Resolve(spec.Linux.CgroupsPath)
	if err != nil {
		return 0, err
	}
	eo := container.ExecOptions{PID: c.Proc.PID, Spec: spec, Cgroup: dirs, Args: o.Args}
	if o.TTY {
		return execTTY(eo, o.Stdin)
	}
	return execPipes(eo, o.Stdin)
}

// execPipes gives the command pipes, never the caller's own descriptors:
// if those are a terminal, a container process holding it could push
// keystrokes into the caller's shell (TIOCSTI) or rewrite its screen.
func execPipes(eo container.ExecOptions, stdin bool) (int, error) {
	var ends []*os.File // the command's ends, closed here once it runs
	defer func() {
		for _, f := range ends {
			f.Close()
		}
	}()
	in, err := inputEnd(stdin)
	if err != nil {
		return 0, err
	}
	ends = append(ends, in)
	outR, outW, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	ends = append(ends, outW)
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		return 0, fmt.Errorf("exec: %w", err)
	}
	ends = append(ends, errW)
	eo.Stdin, eo.Stdout, eo.Stderr = in, outW, errW
	done := relayOutput(outR, errR)
	code, err := container.Exec(eo)
	for _, f := range ends {
		f.Close()
	}
	ends = nil
	<-done // the command's output, to the last byte
	return code, err
}

// inputEnd is the command's stdin: a pipe fed from ours with -i, else
// /dev/null.
func inputEnd(stdin bool) (*os.File, error) {
	if !stdin {
		f, err := os.Open(os.DevNull)
		if err != nil {
			return nil, fmt.Errorf("exec: %w", err)
		}
		return f, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	go func() {
		_, _ = io.Copy(w, os.Stdin)
		w.Close()
	}()
	return r, nil
}

// relayOutput copies the command's stdout and stderr to ours until every holder
// of the pipes has closed them; done is closed then.
func relayOutput(outR, errR *os.File) <-chan struct{} {
	done := make(chan struct{})
	left := make(chan struct{}, 2)
	for _, p := range []struct{ r, w *os.File }{{outR, os.Stdout}, {errR, os.Stderr}} {
		go func() {
			_, _ = io.Copy(p.w, p.r)
			p.r.Close()
			left <- struct{}{}
		}()
	}
	go func() {
		<-left
		<-left
		close(done)
	}()
	return done
}

// execTTY gives the command a terminal from the container's devpts: our
// terminal goes raw, bytes flow both ways, window size changes follow.
func execTTY(eo container.ExecOptions, stdin bool) (int, error) {
	done := make(chan struct{})
	var master *os.File
	eo.TTY = true
	eo.OnTTY = func(m *os.File) {
		master = m
		if term.IsTerminal(int(os.Stdin.Fd())) {
			_ = pty.InheritSize(os.Stdin, m)
			go followWindowSize(m)
		}
		if stdin {
			go func() { _, _ = io.Copy(m, os.Stdin) }()
		}
		go func() {
			_, _ = io.Copy(os.Stdout, m) // ends with EIO once the command exits
			close(done)
		}()
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		if old, err := term.MakeRaw(int(os.Stdin.Fd())); err == nil {
			defer term.Restore(int(os.Stdin.Fd()), old)
		}
	}
	code, err := container.Exec(eo)
	if master != nil {
		<-done
		master.Close()
	}
	return code, err
}

func followWindowSize(m *os.File) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	for range winch {
		_ = pty.InheritSize(os.Stdin, m)
	}
}
