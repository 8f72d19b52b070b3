package ctrinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// consoleFd is where Start hands init its end of the console socket, for
// a container with a terminal (tty: true).
const consoleFd = 4

// setupConsole gives init, and so the command, a terminal from the
// container's own devpts, which mounts.Setup has just mounted: the
// command's stdin, stdout and stderr and, if controlling, its controlling
// terminal (init leads a session of its own). The master side goes to the
// monitor over the console socket, which then closes: the command never
// sees it.
func setupConsole(controlling bool) error {
	sock := os.NewFile(consoleFd, "console")
	defer sock.Close()
	master, slave, err := OpenPTY()
	if err != nil {
		return err
	}
	defer master.Close()
	defer slave.Close()
	if controlling {
		if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCSCTTY, 0); err != nil {
			return fmt.Errorf("make the terminal controlling: %w", err)
		}
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
