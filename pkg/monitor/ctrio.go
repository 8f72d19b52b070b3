package monitor

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/minipod/minipod/pkg/container"
	"golang.org/x/sys/unix"
)

// ctrIO is one container instance's standard streams as the monitor holds
// them: what writes its stdin (a pipe, or its terminal's master side) and
// the attach sessions that get its output besides the log. A slow attach
// client never holds the container: output it cannot take at once ends
// its session.
type ctrIO struct {
	tty, once bool     // tty: true; stdinOnce: true
	master    *os.File // the terminal's master side (tty)

	mu    sync.Mutex
	stdin *os.File // nil: none, or closed (stdinOnce, instance over)
	subs  map[*attachSub]struct{}
	ended bool
}

// attachSub is one attach session's output: the write ends of its pipes,
// raw and non-blocking.
type attachSub struct {
	out, err int // err is -1 with a terminal: one stream
	gone     chan struct{}
}

// broadcast sends output of stream to every session, in the copier's
// goroutine: never blocking, a session that cannot take it all is ended.
func (cio *ctrIO) broadcast(stream string, p []byte) {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	for s := range cio.subs {
		fd := s.out
		if stream == "stderr" && s.err >= 0 {
			fd = s.err
		}
		if !writeAll(fd, p) {
			cio.drop(s)
		}
	}
}

func writeAll(fd int, p []byte) bool {
	for len(p) > 0 {
		n, err := unix.Write(fd, p)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return false
		}
		p = p[n:]
	}
	return true
}

// add starts sending output to s; false once the instance's output has
// ended.
func (cio *ctrIO) add(s *attachSub) bool {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	if cio.ended {
		return false
	}
	if cio.subs == nil {
		cio.subs = map[*attachSub]struct{}{}
	}
	cio.subs[s] = struct{}{}
	return true
}

// remove ends s's share of the output, if it still has one.
func (cio *ctrIO) remove(s *attachSub) {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	if _, ok := cio.subs[s]; ok {
		cio.drop(s)
	}
}

func (cio *ctrIO) drop(s *attachSub) {
	delete(cio.subs, s)
	unix.Close(s.out)
	if s.err >= 0 {
		unix.Close(s.err)
	}
	close(s.gone)
}

// end is the end of the instance's output: sessions see EOF, and its
// stdin is closed.
func (cio *ctrIO) end() {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	cio.ended = true
	for s := range cio.subs {
		cio.drop(s)
	}
	cio.closeStdinLocked()
}

// takeStdin hands an attach session a duplicate of the container's stdin
// of its own, whose writes the session can cut short when it ends (a
// container that never reads must not keep the session's relay): nil if
// it has none (or no longer: stdinOnce after a first session).
func (cio *ctrIO) takeStdin() *os.File {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	return dupFile(cio.stdin, "attach stdin")
}

// masterCopy is a duplicate of the terminal's master side for an attach
// caller (its window size), taken while the copier cannot be closing it.
func (cio *ctrIO) masterCopy() *os.File {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	if cio.ended {
		return nil
	}
	return dupFile(cio.master, "console")
}

// dupFile duplicates f (close-on-exec; non-blocking if f is, so that the
// copy's deadlines work); nil for nil or on failure.
func dupFile(f *os.File, name string) *os.File {
	if f == nil {
		return nil
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	fd := -1
	_ = raw.Control(func(s uintptr) { fd, _ = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 3) })
	if fd < 0 {
		return nil
	}
	return os.NewFile(uintptr(fd), name)
}

// closeStdin ends the container's stdin (stdinOnce, once its session is
// over): a pipe is closed, so the container reads EOF; a terminal stays,
// taking no more input.
func (cio *ctrIO) closeStdin() {
	cio.mu.Lock()
	defer cio.mu.Unlock()
	cio.closeStdinLocked()
}

func (cio *ctrIO) closeStdinLocked() {
	if cio.stdin != nil && cio.stdin != cio.master {
		cio.stdin.Close()
	}
	cio.stdin = nil
}

// teeOut hands what the copier reads to the attach sessions too.
type teeOut struct {
	r      io.Reader
	cio    *ctrIO
	stream string
}

func (t teeOut) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.cio.broadcast(t.stream, p[:n])
		// Logging makes garbage (lines, rotation) off the loop, where
		// nothing else would collect it.
		if copied.Add(int64(n))%collectEvery < int64(n) {
			container.CollectSoon()
		}
	}
	return n, err
}

// copied counts container output copied by this monitor; every
// collectEvery bytes of it the copier asks for a collection.
var copied atomic.Int64

const collectEvery = 1 << 20

// ptyOut reads a terminal's master side: EIO once every holder of the
// terminal has closed it is its end of file.
type ptyOut struct{ f *os.File }

func (p ptyOut) Read(b []byte) (int, error) {
	n, err := p.f.Read(b)
	if errors.Is(err, syscall.EIO) {
		return n, io.EOF
	}
	return n, err
}

func (p ptyOut) Close() error { return p.f.Close() }
