package pod

import (
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/creack/pty"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/specconv"
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
	eo := container.ExecOptions{PID: c.Proc.PID, Args: o.Args, Env: c.Env, Cwd: c.WorkingDir, Caps: specconv.DefaultCaps, UID: c.UID, GID: c.GID}
	if o.TTY {
		return execTTY(eo, o.Stdin)
	}
	eo.Stdout, eo.Stderr = os.Stdout, os.Stderr
	eo.Stdin = os.Stdin
	if !o.Stdin {
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			return 0, err
		}
		defer devnull.Close()
		eo.Stdin = devnull
	}
	return container.Exec(eo)
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
