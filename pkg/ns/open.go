package ns

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// Kinds lists the namespace kinds minipod joins, in join order. A user
// namespace is not among them: a thread of a Go program cannot join one
// (setns(2) wants a single-threaded process), so a Set only holds it, for
// UserNS, and the pod's processes join it on their own (ctrinit.Enter).
var Kinds = []string{"ipc", "uts", "net", "pid", "cgroup", "mnt"}

// UserNS is the set's user namespace, or nil.
func (s *Set) UserNS() *os.File { return s.fds["user"] }

// File is the set's namespace of kind, or nil.
func (s *Set) File(kind string) *os.File { return s.fds[kind] }

// Without is a view of the set without kinds, and Only one of kind alone,
// to be joined (Do), never closed: the set's Close closes them all.
func (s *Set) Without(kinds ...string) *Set {
	v := &Set{fds: map[string]*os.File{}}
	for k, f := range s.fds {
		if !slices.Contains(kinds, k) {
			v.fds[k] = f
		}
	}
	return v
}

// Only: see Without.
func (s *Set) Only(kind string) *Set {
	v := &Set{fds: map[string]*os.File{}}
	if f, ok := s.fds[kind]; ok {
		v.fds[kind] = f
	}
	return v
}

var cloneFlag = map[string]int{
	"ipc":    unix.CLONE_NEWIPC,
	"uts":    unix.CLONE_NEWUTS,
	"net":    unix.CLONE_NEWNET,
	"pid":    unix.CLONE_NEWPID,
	"cgroup": unix.CLONE_NEWCGROUP,
	"mnt":    unix.CLONE_NEWNS,
	"user":   unix.CLONE_NEWUSER,
}

// Set is a group of open namespace fds, ready to be joined.
type Set struct {
	fds map[string]*os.File
}

// Open opens the namespaces of pid named by kinds.
func Open(pid int, kinds ...string) (*Set, error) {
	s := &Set{fds: map[string]*os.File{}}
	for _, k := range kinds {
		if _, ok := cloneFlag[k]; !ok {
			s.Close()
			return nil, fmt.Errorf("open namespace %q: unknown kind", k)
		}
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/" + k)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open %s namespace of %d: %w", k, pid, err)
		}
		s.fds[k] = f
	}
	return s, nil
}

// Close closes every fd of the set.
func (s *Set) Close() error {
	var errs []error
	for _, f := range s.fds {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// Inode returns the namespace inode of kind for pid, as `ls -L -i` shows it.
func Inode(pid int, kind string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/"+kind, &st); err != nil {
		return 0, fmt.Errorf("stat %s namespace of %d: %w", kind, pid, err)
	}
	return st.Ino, nil
}

// Inodes returns the inode of every kind in Kinds, and of the user
// namespace, for pid; kinds that cannot be read are left out.
func Inodes(pid int) map[string]uint64 {
	out := map[string]uint64{}
	for _, k := range append(Kinds[:len(Kinds):len(Kinds)], "user") {
		if ino, err := Inode(pid, k); err == nil {
			out[k] = ino
		}
	}
	return out
}

// Expect checks that each namespace of the set is the one recorded in
// want (kind → inode; kinds missing from want are not checked): a set
// opened through /proc/PID of a process that died may name whatever
// process has that PID now.
func (s *Set) Expect(want map[string]uint64) error {
	for k, f := range s.fds {
		ino, ok := want[k]
		if !ok {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			return fmt.Errorf("stat %s namespace: %w", k, err)
		}
		if st.Ino != ino {
			return fmt.Errorf("the pod's %s namespace is gone (its sandbox died)", k)
		}
	}
	return nil
}

// OpenPath opens one namespace of kind from a path that names it: a
// /proc/PID/ns link, or the /proc/PID/fd link of a process that holds it.
func OpenPath(kind, path string) (*Set, error) {
	return OpenAt(unix.AT_FDCWD, kind, path)
}

// OpenAt is OpenPath for a path relative to dirfd: the /proc/PID directory
// of a holder the caller opened once and checked to be the right process,
// so that a later open fails once that process is gone instead of reading
// whatever process has its PID now.
func OpenAt(dirfd int, kind, path string) (*Set, error) {
	if _, ok := cloneFlag[kind]; !ok {
		return nil, fmt.Errorf("open namespace %q: unknown kind", kind)
	}
	f, err := openNS(dirfd, path)
	if err != nil {
		return nil, fmt.Errorf("open %s namespace: %w", kind, err)
	}
	return &Set{fds: map[string]*os.File{kind: f}}, nil
}

// openNS opens a namespace file. An fd link may name something else by
// now (its holder let go and reused the number): opening never blocks (a
// FIFO) nor takes a terminal, and anything but a namespace is refused.
func openNS(dirfd int, path string) (*os.File, error) {
	fd, err := unix.Openat(dirfd, path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("statfs %s: %w", path, err)
	}
	if fs.Type != unix.NSFS_MAGIC {
		unix.Close(fd)
		return nil, fmt.Errorf("%s is not a namespace", path)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// HeldPaths names each namespace of the set by the /proc/PID/fd link of
// this process's fd, for other processes (and this one) to open while
// this process holds the set.
func (s *Set) HeldPaths() map[string]string {
	self := strconv.Itoa(os.Getpid())
	out := map[string]string{}
	for k, f := range s.fds {
		out[k] = "/proc/" + self + "/fd/" + strconv.Itoa(int(f.Fd()))
	}
	return out
}
