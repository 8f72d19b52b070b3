package monitor

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/execwire"
	"golang.org/x/sys/unix"
)

// serveAttach is one `minipod attach` session, off the loop: the running
// instance's output goes to the caller's pipes (besides the log) and,
// when asked and the container has a stdin, the caller's input to the
// container, until the output ends (the instance is over) or the caller
// leaves. With stdinOnce the container's stdin is closed when the first
// session with input ends.
func (mon *monitor) serveAttach(c *net.UnixConn, req execwire.Request, fds []*os.File) {
	t := mon.askExec(req.Container, false)
	if t.err == nil && t.io == nil {
		t.err = fmt.Errorf("cannot attach to container %s of pod %s: it is not running", req.Container, mon.pod.Name)
	}
	if t.err != nil {
		_ = execwire.Send(c, execwire.Started{Error: t.err.Error()})
		return
	}
	sub, in, err := attachFds(t.io.tty, req.Stdin, fds)
	if err != nil {
		_ = execwire.Send(c, execwire.Started{Error: err.Error()})
		return
	}
	if !t.io.add(sub) {
		closeSub(sub)
		if in != nil {
			in.Close()
		}
		_ = execwire.Send(c, execwire.Started{Error: fmt.Sprintf("cannot attach to container %s of pod %s: it is not running", req.Container, mon.pod.Name)})
		return
	}
	defer t.io.remove(sub)
	var send []*os.File
	if m := t.io.masterCopy(); m != nil {
		defer m.Close()
		send = append(send, m) // for the window size: the caller never reads it
	}
	if err := execwire.Send(c, execwire.Started{}, send...); err != nil {
		if in != nil {
			in.Close()
		}
		return
	}
	stop := make(chan struct{})
	defer close(stop)
	if in != nil {
		if stdin := t.io.takeStdin(); stdin != nil {
			go relayInput(in, stdin, t.io, stop)
		} else {
			in.Close()
		}
	}
	left := make(chan struct{})
	go func() {
		var x execwire.Request
		_, _ = execwire.Recv(c, &x, 0) // the caller sends nothing more: this returns when it leaves
		close(left)
	}()
	select {
	case <-t.logsDone:
		_ = execwire.Send(c, execwire.Exited{})
	case <-sub.gone:
	case <-left:
	}
	if in != nil && t.io.once {
		t.io.closeStdin()
	}
}

// attachFds takes the caller's pipes: stdout and stderr write ends (one
// stream with a terminal), then with stdin the read end of its input.
// Output ends become raw non-blocking descriptors (ctrIO.broadcast); the
// input end is made pollable so that closing it ends its relay.
func attachFds(tty, stdin bool, fds []*os.File) (*attachSub, *os.File, error) {
	want := 2
	if tty {
		want = 1
	}
	if stdin {
		want++
	}
	if len(fds) != want {
		return nil, nil, fmt.Errorf("attach: %d descriptors, want %d", len(fds), want)
	}
	sub := &attachSub{out: -1, err: -1, gone: make(chan struct{})}
	var err error
	if sub.out, err = rawNonblock(fds[0]); err == nil && !tty {
		sub.err, err = rawNonblock(fds[1])
	}
	var in *os.File
	if err == nil && stdin {
		var fd int
		if fd, err = rawNonblock(fds[want-1]); err == nil {
			in = os.NewFile(uintptr(fd), "attach stdin")
		}
	}
	if err != nil {
		closeSub(sub)
		return nil, nil, fmt.Errorf("attach: %w", err)
	}
	return sub, in, nil
}

// rawNonblock is a non-blocking duplicate of f's descriptor.
func rawNonblock(f *os.File) (int, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func closeSub(s *attachSub) {
	for _, fd := range []int{s.out, s.err} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// relayInput copies the caller's input to the container's stdin (the
// session's own copy of it) until the caller's input ends or the session
// does (stop cuts the read and any write the container does not take
// short); an end of the caller's input closes a stdinOnce container's
// stdin.
func relayInput(in, stdin *os.File, cio *ctrIO, stop <-chan struct{}) {
	defer in.Close()
	defer stdin.Close() // the session's own copy
	go func() {
		<-stop
		_ = in.SetReadDeadline(time.Now())
		_ = stdin.SetWriteDeadline(time.Now())
	}()
	buf := make([]byte, 32<<10)
	for {
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err := stdin.Write(buf[:n]); err != nil {
				return
			}
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) && cio.once {
				cio.closeStdin()
			}
			return
		}
	}
}
