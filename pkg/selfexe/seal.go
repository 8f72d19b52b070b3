package selfexe

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

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
	s, err := seal(unix.AT_FDCWD, "/proc/self/exe", 0, "minipod (sealed)")
	if err != nil {
		return nil, fmt.Errorf("seal own binary: %w", err)
	}
	return s, nil
}

// seal clones the mount of one file as a detached, read-only, nosuid,
// nodev mount.
func seal(dirfd int, path string, flags uint, name string) (*Sealed, error) {
	fd, err := unix.OpenTree(dirfd, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|flags)
	if err != nil {
		return nil, fmt.Errorf("clone mount: %w", err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("make read-only: %w", err)
	}
	return &Sealed{f: os.NewFile(uintptr(aboveChildFds(fd)), name)}, nil
}

// highFd is where a seal's descriptor goes: above every number a child's
// descriptors are arranged at (0-2 and ExtraFiles from 3 up), so that a
// child executing Path between fork and execve still finds the seal
// there, not a descriptor dup2'd over it.
const highFd = 100

// aboveChildFds moves fd to highFd or above; where it cannot, fd stays.
func aboveChildFds(fd int) int {
	high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, highFd)
	if err != nil {
		return fd
	}
	unix.Close(fd)
	return high
}

// File is the sealed file's handle, to pass to a child.
func (s *Sealed) File() *os.File { return s.f }

// Path is what to pass to execve, in this process or a child forked from
// it: the kernel resolves it to the sealed file.
func (s *Sealed) Path() string { return "/proc/self/fd/" + strconv.Itoa(int(s.f.Fd())) }

// Close releases the handle; the mount goes with its last user.
func (s *Sealed) Close() error { return s.f.Close() }

// SealCompanion seals the program name installed beside the running
// binary (/usr/local/bin/minipod-pause beside /usr/local/bin/minipod) if
// it is there and only root can have put it there: a regular file owned by
// root that nobody else may write, in a directory nobody else may write.
// Otherwise it returns nil and the caller uses a role of its own binary
// (or does without); the error says why when the program is there but is
// not used: not root's alone, or not written with the running binary (see
// buildSkew). The seal is what runs from then on: replacing the file later
// changes nothing for pods already started, as for the sealed binary
// itself.
func SealCompanion(name string) (*Sealed, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil
	}
	dir := filepath.Dir(self)
	path := filepath.Join(dir, name)
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil // not installed
	}
	defer unix.Close(fd)
	var dst unix.Stat_t
	if unix.Stat(dir, &dst) != nil || !rootOnly(dst) {
		return nil, &DirError{Dir: dir}
	}
	if why := refused(fd); why != "" {
		return nil, fmt.Errorf("%s is not used: %s", path, why)
	}
	var st, own unix.Stat_t
	if unix.Fstat(fd, &st) != nil || unix.Stat(self, &own) != nil {
		return nil, nil
	}
	if skew := time.Duration(st.Mtim.Nano() - own.Mtim.Nano()).Abs(); skew > buildSkew {
		return nil, fmt.Errorf("%s was not built or installed with %s (written %v apart): not used; make install puts both in place", path, self, skew.Round(time.Second))
	}
	s, err := seal(fd, "", unix.AT_EMPTY_PATH, name+" (sealed)")
	if err != nil {
		return nil, fmt.Errorf("%s is not used: %w", path, err)
	}
	return s, nil
}

// DirError: the companions' directory (the running binary's) is not root's
// alone, so none of the programs in it is used. One error for all of
// them, which a caller asking for several can report once.
type DirError struct{ Dir string }

func (e *DirError) Error() string {
	return e.Dir + " is not root's alone (owned by root, writable by nobody else): the programs beside minipod in it are not used"
}

// refused says why the program open at fd could have been put there by
// someone other than root ("" if it could not).
func refused(fd int) string {
	var st unix.Stat_t
	switch {
	case unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG:
		return "not a regular file"
	case !rootOnly(st):
		return "not root's alone (owned by root, writable by nobody else)"
	case st.Mode&0o111 == 0:
		return "not executable"
	}
	return ""
}

// buildSkew is how far apart in time minipod and a companion program may
// have been written and still count as one build: both come from one `go
// build ./cmd/...` or one `make install`. A companion left from another
// build would run a container's init, or a pod's pause, with another
// version's rules (and silently ignore what it does not know of a newer
// config.json); minipod's own roles are used instead.
const buildSkew = 10 * time.Minute

// rootOnly: owned by root, writable by nobody else.
func rootOnly(st unix.Stat_t) bool { return st.Uid == 0 && st.Mode&0o022 == 0 }
