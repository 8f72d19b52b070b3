package ctrinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// OpenPTY opens a terminal pair in the container's own devpts, from a
// thread that has joined the container's mount namespace. /dev is the
// container's to rewrite (its /dev/ptmx could be a FIFO or a link
// anywhere), so neither end is opened through it: the multiplexer is
// opened inside the devpts mount without following any link, checked to
// be devpts's ptmx, and the terminal is taken from it with TIOCGPTPEER
// instead of by its /dev/pts/N name.
func OpenPTY() (*os.File, *os.File, error) {
	how := &unix.OpenHow{
		Flags:   unix.O_RDWR | unix.O_NOCTTY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(unix.AT_FDCWD, "/dev/pts/ptmx", how)
	if err != nil {
		return nil, nil, fmt.Errorf("open the container's /dev/pts/ptmx: %w", err)
	}
	master := os.NewFile(uintptr(fd), "/dev/pts/ptmx")
	if err := IsPtmx(fd); err != nil {
		master.Close()
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	sfd, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("open pty peer: %w", errno)
	}
	return master, os.NewFile(sfd, "pty"), nil
}

// IsPtmx checks that fd is the pty multiplexer of a devpts instance.
func IsPtmx(fd int) error {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return fmt.Errorf("stat /dev/pts/ptmx: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat /dev/pts/ptmx: %w", err)
	}
	if fs.Type != unix.DEVPTS_SUPER_MAGIC || st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 5 || unix.Minor(st.Rdev) != 2 {
		return fmt.Errorf("the container's /dev/pts/ptmx is not a devpts multiplexer")
	}
	return nil
}
