// Package execwire is the protocol between `minipod exec` and a pod's
// monitor. `minipod exec` asks the pod's monitor to start the command:
// the monitor runs from a sealed copy of minipod-monitor (or minipod), so the process it forks into the
// container is never the host's binary, even for the instant before it
// execs (a command that is a `#!/proc/self/exe` script, or /proc/self/exe
// itself, would otherwise run the host's minipod inside the container and
// let the container reach the file: CVE-2019-5736). The exchange is three
// messages on a SOCK_SEQPACKET socket in the pod's root-only run
// directory:
//
//	exec → monitor  Request, with the command's stdin, stdout, stderr
//	                (none with a TTY)
//	monitor → exec  Started, with the terminal's master side with a TTY
//	monitor → exec  Exited, when the monitor has reaped the command
//
// An error in either reply ends the exchange. `minipod attach` uses the
// same socket: its Request has Attach set and carries the write ends of
// its stdout and stderr pipes (stdout only with a terminal) and, with
// Stdin, the read end of its stdin pipe; Started comes with the terminal's
// master side (for its window size only), and Exited, with no code, when
// the container's output has ended.
package execwire

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/minipod/minipod/pkg/leanjson"
	"golang.org/x/sys/unix"
)

// Request asks for a command in a container.
type Request struct {
	Container string   `json:"container"`
	Args      []string `json:"args"`
	TTY       bool     `json:"tty,omitempty"`
	// Attach asks for the container's own streams instead of a command;
	// Stdin, for its input too.
	Attach bool `json:"attach,omitempty"`
	Stdin  bool `json:"stdin,omitempty"`
}

// Started answers a Request: the command's host PID, or why it did not
// start.
type Started struct {
	PID   int    `json:"pid,omitempty"`
	Error string `json:"error,omitempty"`
}

// Exited is the command's exit code, once the monitor has reaped it.
type Exited struct {
	Code  int    `json:"code"`
	Error string `json:"error,omitempty"`
}

// maxMessage bounds one message: args of a command line.
const maxMessage = 1 << 20

// Send writes one message with fds attached. Messages go through
// leanjson: each `minipod exec` is a fresh process, where encoding/json
// would first build its caches of the message types.
func Send(c *net.UnixConn, v any, fds ...*os.File) error {
	data, err := leanjson.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode exec message: %w", err)
	}
	var oob []byte
	if len(fds) > 0 {
		ints := make([]int, len(fds))
		for i, f := range fds {
			ints[i] = int(f.Fd())
		}
		oob = unix.UnixRights(ints...)
	}
	if _, _, err := c.WriteMsgUnix(data, oob, nil); err != nil {
		return fmt.Errorf("send exec message: %w", err)
	}
	return nil
}

// Recv reads one message and up to maxFds attached fds.
func Recv(c *net.UnixConn, v any, maxFds int) ([]*os.File, error) {
	size, err := nextSize(c)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	oob := make([]byte, unix.CmsgSpace(4*max(maxFds, 1)))
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("receive exec message: %w", err)
	}
	fds, ferr := parseRights(oob[:oobn])
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		CloseAll(fds)
		return nil, errors.New("receive exec message: message or descriptors truncated")
	}
	if ferr != nil {
		return nil, ferr
	}
	if n == 0 {
		CloseAll(fds)
		return nil, errors.New("receive exec message: connection closed")
	}
	if err := leanjson.Unmarshal(buf[:n], v); err != nil {
		CloseAll(fds)
		return nil, fmt.Errorf("decode exec message: %w", err)
	}
	return fds, nil
}

// nextSize is the length of the next message, up to maxMessage, so
// that a small request costs a small buffer.
func nextSize(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("receive exec message: %w", err)
	}
	var n int
	var perr error
	err = raw.Read(func(fd uintptr) bool {
		n, _, perr = unix.Recvfrom(int(fd), nil, unix.MSG_PEEK|unix.MSG_TRUNC)
		return perr != unix.EAGAIN
	})
	if err == nil {
		err = perr
	}
	if err != nil {
		return 0, fmt.Errorf("receive exec message: %w", err)
	}
	if n > maxMessage {
		return 0, fmt.Errorf("receive exec message: %d bytes, more than %d", n, maxMessage)
	}
	return max(n, 1), nil
}

func parseRights(oob []byte) ([]*os.File, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("receive exec descriptors: %w", err)
	}
	var out []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			CloseAll(out)
			return nil, fmt.Errorf("receive exec descriptors: %w", err)
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			out = append(out, os.NewFile(uintptr(fd), "exec fd"))
		}
	}
	return out, nil
}

func CloseAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
