package container

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// consoleFd is where Start hands init its end of the console socket, for
// a container with a terminal (tty: true).
const consoleFd = 4

// setupConsole gives init, and so the command, a terminal from the
// container's own devpts, which mounts.Setup has just mounted: the
// command's stdin, stdout and stderr, and its controlling terminal (init
// leads a session of its own). The master side goes to the monitor over
// the console socket, which then closes: the command never sees it.
func setupConsole() error {
	sock := os.NewFile(consoleFd, "console")
	defer sock.Close()
	master, slave, err := openPTY()
	if err != nil {
		return err
	}
	defer master.Close()
	defer slave.Close()
	if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("make the terminal controlling: %w", err)
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(int(slave.Fd()), fd, 0); err != nil {
			return fmt.Errorf("make the terminal fd %d: %w", fd, err)
		}
	}
	if err := unix.Sendmsg(int(sock.Fd()), []byte{0}, unix.UnixRights(int(master.Fd())), nil, 0); err != nil {
		return fmt.Errorf("send the terminal to the monitor: %w", err)
	}
	return nil
}

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
	if err := isPtmx(fds[0]); err != nil {
		unix.Close(fds[0])
		return nil, err
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console"), nil
}
