package monitor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The kubelet's volume ownership masks (pkg/volume SetVolumeOwnership).
const (
	rwMask   = 0o660
	roMask   = 0o440
	execMask = 0o110
)

// applyFSGroup gives a volume to the pod's fsGroup as the kubelet does:
// every file's group becomes fsGroup, group read (and write, unless the
// volume is read-only) is added, and directories get group execute and the
// setgid bit, so files created later belong to fsGroup too.
//
// A claim's volume holds what earlier pods wrote, and another pod may be
// writing it right now: a directory swapped for a link to the host's /etc
// between a walk's read and a chmod by path would give the host's files
// away. So the walk goes by file descriptor, each entry opened relative to
// its directory without following links; a link's own group is changed,
// never its target.
func applyFSGroup(dir string, gid int64, readOnly bool) error {
	mask := uint32(rwMask)
	if readOnly {
		mask = roMask
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("give volume to fsGroup %d: open %s: %w", gid, dir, err)
	}
	defer unix.Close(fd)
	if err := ownDir(fd, int(gid), mask); err != nil {
		return fmt.Errorf("give volume to fsGroup %d: %s: %w", gid, dir, err)
	}
	return nil
}

// ownDir gives the open directory fd and everything below it to gid.
func ownDir(fd, gid int, mask uint32) error {
	if err := own(fd, gid, mask, true); err != nil {
		return err
	}
	names, err := readNames(fd)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := ownEntry(fd, name, gid, mask); err != nil {
			return err
		}
	}
	return nil
}

// ownEntry handles one entry of directory dirfd. It is opened O_PATH
// (no side effect, whatever the file is) without following a link; a
// directory is opened again, O_NOFOLLOW, to be walked.
func ownEntry(dirfd int, name string, gid int, mask uint32) error {
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil // removed since it was listed (a pod sharing the claim)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return unix.Fchownat(fd, "", -1, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	case unix.S_IFDIR:
		dfd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer unix.Close(dfd)
		return ownDir(dfd, gid, mask)
	}
	return own(fd, gid, mask, false)
}

// own changes one open file's group and mode. An O_PATH descriptor takes
// no fchmod: its /proc/self/fd link names that very inode.
func own(fd, gid int, mask uint32, dir bool) error {
	if err := unix.Fchownat(fd, "", -1, gid, unix.AT_EMPTY_PATH); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	mode := st.Mode&0o7777 | mask
	if dir {
		mode |= execMask | unix.S_ISGID
	}
	if dir {
		return unix.Fchmod(fd, mode)
	}
	return os.Chmod("/proc/self/fd/"+strconv.Itoa(fd), fs.FileMode(mode&0o777)|goSpecial(mode))
}

// goSpecial turns setuid/setgid/sticky bits into os.Chmod's.
func goSpecial(mode uint32) fs.FileMode {
	var m fs.FileMode
	if mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// readNames lists a directory through a duplicate of its descriptor.
func readNames(fd int) ([]string, error) {
	// Close-on-exec: a helper or hook forked meanwhile must not inherit it.
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("dup: %w", err)
	}
	f := os.NewFile(uintptr(dup), "dir")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read dir: %w", err)
	}
	return names, nil
}
