package mounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// fdPath names an open fd in a way mount(2) accepts as a path.
func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// openDir resolves dest inside root, creating missing directories, and
// returns an O_PATH handle to it. A directory already there (most of them:
// the image's and the mounts' own) is one lookup; anything else goes to
// pathrs-lite, which creates what is missing and refuses what is not a
// directory.
func openDir(root *os.File, dest string) (*os.File, error) {
	if h, err := openInRoot(root, dest); err == nil {
		if dir, _ := isDir(h); dir {
			return h, nil
		}
		h.Close()
	}
	h, err := pathrs.MkdirAllHandle(root, dest, 0o755)
	if err != nil {
		return nil, fmt.Errorf("create directory %s in root: %w", dest, err)
	}
	return h, nil
}

// openFile resolves dest inside root, creating an empty file (and missing
// parents) if nothing is there, and returns an O_PATH handle to it.
func openFile(root *os.File, dest string) (*os.File, error) {
	parent, err := openDir(root, filepath.Dir(dest))
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	fd, err := unix.Openat(int(parent.Fd()), filepath.Base(dest), unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err == nil {
		unix.Close(fd)
	} else if !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("create file %s in root: %w", dest, err)
	}
	h, err := openInRoot(root, dest)
	if err != nil {
		return nil, fmt.Errorf("open %s in root: %w", dest, err)
	}
	return h, nil
}

// openTarget resolves dest as a directory or a file, matching the source.
func openTarget(root *os.File, dest string, dir bool) (*os.File, error) {
	if dir {
		return openDir(root, dest)
	}
	return openFile(root, dest)
}

// isDir reports whether an O_PATH handle names a directory.
func isDir(f *os.File) (bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return false, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}
