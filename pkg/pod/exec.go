package pod

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/execwire"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"

	"github.com/creack/pty"
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
// The pod's monitor starts it (see execwire.go), with the container's
// config.json: namespaces, cgroup, user, groups, capabilities, seccomp,
// environment, working directory, as for its init.
func Exec(o ExecOptions) (int, error) {
	if !o.TTY {
		// The monitor checks and defaults the container itself: reading
		// the pod's state first was ~7% of an exec. Where it does not
		// answer, the state says why.
		if conn, err := dialPod(o.Pod); err == nil {
			defer conn.Close()
			return execPipes(conn, execwire.Request{Container: o.Container, Args: o.Args}, o.Stdin)
		}
	}
	st, err := roots.Load(o.Pod)
	if err != nil {
		return 0, err
	}
	if err := onNode(st); err != nil {
		return 0, err
	}
	c, err := pickContainer(st, o.Container, o.Err)
	if err != nil {
		return 0, err
	}
	if c.State != state.StateRunning || !c.Proc.Alive() {
		return 0, fmt.Errorf("cannot exec into container %s of pod %s: container is not running (%s)", c.Name, st.Name, c.State)
	}
	conn, err := dialExec(st)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	req := execwire.Request{Container: c.Name, Args: o.Args, TTY: o.TTY}
	if o.TTY {
		return execTTY(conn, req, o.Stdin)
	}
	return execPipes(conn, req, o.Stdin)
}

// dialExec connects to the pod's monitor.
func dialExec(st *state.Pod) (*net.UnixConn, error) {
	conn, err := dialPod(st.Name)
	if err != nil {
		return nil, fmt.Errorf("cannot exec into pod %s: its monitor does not answer (%w); delete the pod with: minipod down %s", st.Name, err, st.Name)
	}
	return conn, nil
}

// dialPod connects to the exec socket of pod name's monitor.
func dialPod(name string) (*net.UnixConn, error) {
	if err := state.ValidName(name); err != nil {
		return nil, err
	}
	d, err := os.Open(roots.PodRun(name))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(d.Fd())) + "/" + state.ExecSocket
	return net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
}

// awaitStart reads the monitor's first reply: the command runs (with a
// TTY, its terminal's master side comes with it), or why not.
func awaitStart(conn *net.UnixConn) (*os.File, error) {
	var started execwire.Started
	fds, err := execwire.Recv(conn, &started, 1)
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	if started.Error != "" {
		execwire.CloseAll(fds)
		return nil, errors.New(started.Error)
	}
	if len(fds) > 0 {
		return fds[0], nil
	}
	return nil, nil
}

// awaitExit reads the second: the command's exit code.
func awaitExit(conn *net.UnixConn) (int, error) {
	var exited execwire.Exited
	if _, err := execwire.Recv(conn, &exited, 0); err != nil {
		return 0, fmt.Errorf("exec: the pod's monitor went away before the command ended: %w", err)
	}
	if exited.Error != "" {
		return 0, errors.New(exited.Error)
	}
	return exited.Code, nil
}

// execPipes gives the command pipes, never the caller's own descriptors:
// if those are a terminal, a container process holding it could push
// keystrokes into the caller's shell (TIOCSTI) or rewrite its screen; if
// a file, reopen it through /proc/self/fd.
func execPipes(conn *net.UnixConn, req execwire.Request, stdin bool) (int, error) {
	in, err := inputEnd(stdin)
	if err != nil {
		return 0, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		in.Close()
		return 0, fmt.Errorf("exec: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		in.Close()
		outR.Close()
		outW.Close()
		return 0, fmt.Errorf("exec: %w", err)
	}
	err = execwire.Send(conn, req, in, outW, errW)
	execwire.CloseAll([]*os.File{in, outW, errW}) // the command's ends: ours must go for EOF
	done := relayOutput(outR, errR)
	if err != nil {
		return 0, err
	}
	if _, err := awaitStart(conn); err != nil {
		return 0, err
	}
	code, err := awaitExit(conn)
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

// execTTY gives the command a terminal from the container's devpts, whose
// master side the monitor hands us: our terminal goes raw, bytes flow both
// ways, window size changes follow.
func execTTY(conn *net.UnixConn, req execwire.Request, stdin bool) (int, error) {
	if err := execwire.Send(conn, req); err != nil {
		return 0, err
	}
	m, err := awaitStart(conn)
	if err != nil {
		return 0, err
	}
	if m == nil {
		return 0, errors.New("exec: the monitor sent no terminal")
	}
	defer m.Close()
	if term.IsTerminal(int(os.Stdin.Fd())) {
		_ = pty.InheritSize(os.Stdin, m)
		go followWindowSize(m)
		if old, err := term.MakeRaw(int(os.Stdin.Fd())); err == nil {
			defer term.Restore(int(os.Stdin.Fd()), old)
		}
	}
	if stdin {
		go func() { _, _ = io.Copy(m, os.Stdin) }()
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(os.Stdout, m) // ends with EIO once the command exits
		close(done)
	}()
	code, err := awaitExit(conn)
	<-done
	return code, err
}

func followWindowSize(m *os.File) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	for range winch {
		_ = pty.InheritSize(os.Stdin, m)
	}
}
