package container

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/ctrinit"
	"golang.org/x/sys/unix"
)

// consoleLimit bounds the wait for init's terminal: init sends it before
// it reports its start, so it is there by the time Start returns.
const consoleLimit = 5 * time.Second

// ReceiveConsole takes the master side of a container's terminal from the
// monitor's end of the console socket, checked to be a devpts
// multiplexer, non-blocking so that reads and writes can be canceled.
func ReceiveConsole(sock *os.File) (*os.File, error) {
	fd := int(sock.Fd())
	tv := unix.NsecToTimeval(consoleLimit.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(fd, make([]byte, 1), oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, errors.New("receive the container's terminal: no descriptor")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, f := range fds {
			unix.Close(f)
		}
		return nil, errors.New("receive the container's terminal: not one descriptor")
	}
	if err := ctrinit.IsPtmx(fds[0]); err != nil {
		unix.Close(fds[0])
		return nil, err
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console"), nil
}
