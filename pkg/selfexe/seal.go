package selfexe

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Sealed is the running binary, reachable only through a read-only mount.
type Sealed struct {
	f *os.File
}

// Seal clones the mount of /proc/self/exe as a detached read-only mount of
// that one file. The descriptor is close-on-exec: children reach it by
// Path between fork and execve, and nothing inherits it afterwards.
func Seal() (*Sealed, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/proc/self/exe", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("seal own binary: clone mount: %w", err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("seal own binary: make read-only: %w", err)
	}
	return &Sealed{f: os.NewFile(uintptr(fd), "minipod (sealed)")}, nil
}

// Path is what to pass to execve, in this process or a child forked from
// it: the kernel resolves it to the sealed file.
func (s *Sealed) Path() string { return "/proc/self/fd/" + strconv.Itoa(int(s.f.Fd())) }

// Close releases the handle; the mount goes with its last user.
func (s *Sealed) Close() error { return s.f.Close() }
