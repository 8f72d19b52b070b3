package monitor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// beneath resolves a path below the walk's top without following any
// symlink or crossing a mount: the container owns everything below its
// writable layer and volumes and can swap a directory for a symlink to /
// while we count.
var beneath = unix.OpenHow{
	Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC | unix.O_NOFOLLOW,
	Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
}

// diskUsage is what the files below dir take on disk (allocated blocks,
// each inode once), as du counts and the kubelet's eviction measures a
// container's writable layer, logs and emptyDir volumes. Every directory
// is opened from dir by the kernel's in-tree resolution (never through a
// symlink the container planted), one at a time; files that vanish
// meanwhile are skipped (the container keeps writing while we count), and
// so are directories nested deeper than a path can name.
func diskUsage(dir string) (int64, error) {
	top, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("measure %s: %w", dir, err)
	}
	defer top.Close()
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	var total int64
	count := func(st *unix.Stat_t) {
		// Only a file with other links, or a directory, can come again:
		// remembering every file would make a walk of millions of them
		// hold a map of millions.
		if st.Nlink <= 1 && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			total += st.Blocks * 512
			return
		}
		if id := (inode{st.Dev, st.Ino}); !seen[id] {
			seen[id] = true
			total += st.Blocks * 512
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(top.Fd()), &st); err != nil {
		return 0, fmt.Errorf("measure %s: %w", dir, err)
	}
	count(&st)
	for todo := []string{"."}; len(todo) > 0; {
		rel := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		subdirs, err := usageOfDir(top, rel, count)
		if err != nil {
			return 0, fmt.Errorf("measure %s: %w", path.Join(dir, rel), err)
		}
		todo = append(todo, subdirs...)
	}
	return total, nil
}

// usageOfDir counts the entries of top/rel and returns its subdirectories
// (relative to top). A directory that is gone, or became something else,
// counts as empty.
func usageOfDir(top *os.File, rel string, count func(*unix.Stat_t)) ([]string, error) {
	fd, err := unix.Openat2(int(top.Fd()), rel, &beneath)
	if err != nil {
		if gone(err) {
			return nil, nil
		}
		return nil, err
	}
	d := os.NewFile(uintptr(fd), rel)
	defer d.Close()
	var subdirs []string
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				continue // removed meanwhile
			}
			count(&st)
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				subdirs = append(subdirs, path.Join(rel, name))
			}
		}
		if err == io.EOF {
			return subdirs, nil
		}
		if err != nil {
			return subdirs, err
		}
	}
}

// gone: the directory was removed, replaced by a symlink or a file, or is
// beyond what a path can name.
func gone(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) ||
		errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENAMETOOLONG)
}
