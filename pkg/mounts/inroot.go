package mounts

import (
	"errors"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// OpenInRoot opens path inside root as an O_PATH handle, resolved by the
// kernel (openat2 with RESOLVE_IN_ROOT): no component, symlinks and ".."
// included, can lead out of root, and no magic link is followed. This is
// the lookup pathrs-lite makes too; it then reads the handle's path back
// through a procfs instance of its own only to name the *os.File, five
// system calls more per lookup, and a container start makes dozens of
// lookups (every masked path, every mount's destination) while the pod's
// other containers start beside it. A kernel without openat2 gets
// pathrs-lite's own resolution.
func OpenInRoot(root *os.File, path string) (*os.File, error) {
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for range inRootTries {
		fd, err := unix.Openat2(int(root.Fd()), path, how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), path), nil
		case errors.Is(err, unix.ENOSYS):
			return pathrs.OpenatInRoot(root, path)
		case !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR):
			return nil, &os.PathError{Op: "openat2 in root", Path: path, Err: err}
		}
		// EAGAIN: a rename or mount raced the lookup; the kernel asks
		// for another try rather than risk an escape.
	}
	return nil, &os.PathError{Op: "openat2 in root", Path: path, Err: unix.EAGAIN}
}

// inRootTries bounds the retries of a lookup that keeps racing renames
// (a hostile container renaming in a shared volume).
const inRootTries = 64
