package image

import (
	"errors"
	"os"
	"strconv"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Reading a file of a layer (a user's passwd entry, on every container
// start) resolves its path inside the layer as the kernel does it for a
// chroot (mounts.OpenInRoot: openat2 with RESOLVE_IN_ROOT keeps symlinks
// and ".." inside, refuses magic links, and is tried again when a rename
// races it), then reopens the handle through /proc. pathrs-lite reopens
// through a procfs instance it checks, for a /proc that a container may
// have tampered with; the monitor reads layers with the host's /proc, and
// those checks cost ~0.5 ms on first use and ~80 µs a file after.

// reopen opens what the O_PATH handle f names, with flags, through the
// process's own /proc (no path is resolved again).
func reopen(f *os.File, flags int) (*os.File, error) {
	fd, err := unix.Open("/proc/thread-self/fd/"+strconv.Itoa(int(f.Fd())), flags|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return pathrs.Reopen(f, flags|unix.O_CLOEXEC) // no /proc/thread-self (before Linux 3.17)
	}
	if err != nil {
		return nil, &os.PathError{Op: "reopen", Path: f.Name(), Err: err}
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
