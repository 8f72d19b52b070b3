package pod

import (
	"fmt"
	"io"
	"os"

	"github.com/creack/pty"
	"github.com/minipod/minipod/pkg/execwire"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/term"
)

// AttachOptions are the flags of `minipod attach`.
type AttachOptions struct {
	Pod, Container string
	Stdin, TTY     bool
	Quiet          bool
	Out, Err       io.Writer
}

// Attach connects to a running container's own streams, as `kubectl
// attach` does: its output from now on (it is in the log too) and, with
// -i, our input to its stdin (stdin: true). A container with a terminal
// (tty: true) is attached in terminal mode whatever -t says, raw when our
// input is a terminal. The session ends when the container's instance
// does, or on our end (Ctrl-C, or leaving the container's shell in raw
// mode); the container goes on running.
func Attach(o AttachOptions) error {
	st, err := roots.Load(o.Pod)
	if err != nil {
		return err
	}
	if err := onNode(st); err != nil {
		return err
	}
	if st.Phase.Done() {
		return fmt.Errorf("cannot attach a container in a completed pod; current phase is %s", st.Phase)
	}
	c, err := pickContainer(st, o.Container, o.Err)
	if err != nil {
		return err
	}
	spec, err := containerSpec(st.Name, c.Name)
	if err != nil {
		return err
	}
	tty := attachMode(o, spec)
	if c.State != state.StateRunning || !c.Proc.Alive() {
		return fmt.Errorf("cannot attach to container %s of pod %s: container is not running (%s)", c.Name, st.Name, c.State)
	}
	conn, err := dialExec(st)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !o.Quiet {
		fmt.Fprintln(o.Err, "If you don't see a command prompt, try pressing enter.")
	}
	s, err := openSession(o.Stdin && spec.Stdin, tty)
	if err != nil {
		return err
	}
	err = execwire.Send(conn, execwire.Request{Attach: true, Container: c.Name, Stdin: s.in != nil, TTY: tty}, s.theirs...)
	execwire.CloseAll(s.theirs) // the monitor has its copies: EOF comes from it alone
	if err != nil {
		s.close()
		return err
	}
	m, err := awaitStart(conn)
	if err != nil {
		s.close()
		return err
	}
	raw := tty && o.Stdin && term.IsTerminal(int(os.Stdin.Fd()))
	if m != nil {
		defer m.Close()
		if raw {
			_ = pty.InheritSize(os.Stdin, m)
			go followWindowSize(m)
			if old, err := term.MakeRaw(int(os.Stdin.Fd())); err == nil {
				defer term.Restore(int(os.Stdin.Fd()), old)
			}
		}
	}
	s.run()
	if !o.Quiet && raw && spec.Stdin && restartAlways(st) {
		fmt.Fprintf(o.Out, "Session ended, resume using 'minipod attach %s -c %s -i -t' command when the pod is running\n", st.Name, c.Name)
	}
	return nil
}

// attachMode says whether the session is a terminal one: the container's
// tty decides, as for kubectl, which says when -t cannot be honoured; -i
// on a container without stdin sends nothing, which is said too.
func attachMode(o AttachOptions, spec *podspec.Container) bool {
	if o.TTY && !spec.TTY {
		fmt.Fprintf(o.Err, "error: Unable to use a TTY - container %s did not allocate one\n", spec.Name)
	}
	if o.Stdin && !spec.Stdin {
		fmt.Fprintf(o.Err, "warning: container %s has no stdin (stdin: true is not set): input is not sent\n", spec.Name)
	}
	return spec.TTY
}

// containerSpec is the named container of the pod's stored manifest.
func containerSpec(pod, name string) (*podspec.Container, error) {
	p, err := roots.LoadManifest(pod)
	if err != nil {
		return nil, err
	}
	for _, c := range p.Spec.AllContainers() {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("container %s is not valid for pod %s", name, pod)
}

func restartAlways(st *state.Pod) bool {
	p, err := roots.LoadManifest(st.Name)
	return err == nil && p.Spec.RestartPolicy == "Always"
}

// attachSession is our side of the pipes of one session: theirs go to the
// monitor (stdout, stderr unless a terminal, then stdin's read end).
type attachSession struct {
	outR, errR, in *os.File
	theirs         []*os.File
}

func openSession(stdin, tty bool) (*attachSession, error) {
	s := &attachSession{}
	pipe := func() (*os.File, *os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			s.close()
			execwire.CloseAll(s.theirs)
			return nil, nil, fmt.Errorf("attach: %w", err)
		}
		return r, w, nil
	}
	var w *os.File
	var err error
	if s.outR, w, err = pipe(); err != nil {
		return nil, err
	}
	s.theirs = append(s.theirs, w)
	if !tty {
		if s.errR, w, err = pipe(); err != nil {
			return nil, err
		}
		s.theirs = append(s.theirs, w)
	}
	if stdin {
		var r *os.File
		if r, s.in, err = pipe(); err != nil {
			return nil, err
		}
		s.theirs = append(s.theirs, r)
	}
	return s, nil
}

// run relays until the monitor closes our output pipes (the session is
// over); our input goes on being read meanwhile.
func (s *attachSession) run() {
	if s.in != nil {
		go func() {
			_, _ = io.Copy(s.in, os.Stdin)
			s.in.Close()
		}()
	}
	done := make(chan struct{}, 2)
	for _, p := range []struct{ r, w *os.File }{{s.outR, os.Stdout}, {s.errR, os.Stderr}} {
		if p.r == nil {
			done <- struct{}{}
			continue
		}
		go func() {
			_, _ = io.Copy(p.w, p.r)
			done <- struct{}{}
		}()
	}
	<-done
	<-done
	s.close()
}

func (s *attachSession) close() {
	for _, f := range []*os.File{s.outR, s.errR} {
		if f != nil {
			f.Close()
		}
	}
}
