package mounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// fdPath names an open fd in a way mount(2) accepts as a path.
func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// openDir resolves dest inside root, creating missing directories, and
// returns an O_PATH handle to it. A directory already there (most of them:
// the image's and the mounts' own) is one lookup, one whose parent is
// there (/dev/pts in the fresh /dev) three; anything else goes to
// pathrs-lite, which creates what is missing and refuses what is not a
// directory.
func openDir(root *os.File, dest string) (*os.File, error) {
	if h := existingDir(root, dest); h != nil {
		return h, nil
	}
	clean := filepath.Clean(dest)
	if parent := existingDir(root, filepath.Dir(clean)); parent != nil {
		h := mkdirIn(parent, filepath.Base(clean))
		parent.Close()
		if h != nil {
			if newOwner != 0 {
				if err := ownHandle(h, dest); err != nil {
					h.Close()
					return nil, err
				}
			}
			return h, nil
		}
	}
	h, err := mkdirAll(root, dest)
	if err != nil {
		return nil, fmt.Errorf("create directory %s in root: %w", dest, err)
	}
	return h, nil
}

// existingDir is a handle to dest in root if it is a directory, else nil.
func existingDir(root *os.File, dest string) *os.File {
	h, err := OpenInRoot(root, dest)
	if err != nil {
		return nil
	}
	if dir, _ := isDir(h); !dir {
		h.Close()
		return nil
	}
	return h
}

// mkdirIn creates the directory name in parent (an in-root handle) and
// opens it without following anything: what is there by then, if not a
// directory made or found under that name, is left to pathrs-lite (nil).
func mkdirIn(parent *os.File, name string) *os.File {
	if name == "." || name == ".." || name == "/" {
		return nil
	}
	if err := unix.Mkdirat(int(parent.Fd()), name, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil
	}
	fd, err := unix.Openat2(int(parent.Fd()), name, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(fd), name)
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
		if newOwner != 0 {
			err = unix.Fchown(fd, int(newOwner), int(newOwner))
		}
		unix.Close(fd)
		if err != nil {
			return nil, fmt.Errorf("own file %s in root: %w", dest, err)
		}
	} else if !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("create file %s in root: %w", dest, err)
	}
	h, err := OpenInRoot(root, dest)
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
