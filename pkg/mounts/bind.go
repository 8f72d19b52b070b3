package mounts

import (
	"fmt"
	"os"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// bind mounts m.Source (or a subPath inside it) onto m.Destination in root.
// It clones the source tree with open_tree, applies read-only with
// mount_setattr, and attaches it with move_mount onto the resolved target fd:
// no step ever goes through a path string inside the container root. With
// IDMapOption the clone is idmapped by userns too.
func bind(root *os.File, m specs.Mount, userns *os.File) error {
	src, err := openSource(m)
	if err != nil {
		return err
	}
	defer src.Close()
	dir, err := isDir(src)
	if err != nil {
		return err
	}
	dst, err := openTarget(root, m.Destination, dir)
	if err != nil {
		return err
	}
	defer dst.Close()
	if err := checkResolved(root, dst, m.Destination); err != nil {
		return err
	}
	if hasOption(m.Options, IDMapOption) {
		if userns == nil {
			return fmt.Errorf("bind %s: %s without a user namespace", m.Destination, IDMapOption)
		}
		tree, err := IDMapped(int(src.Fd()), userns, bindAttrs(m.Options), true)
		if err != nil {
			return fmt.Errorf("bind %s: %w", m.Destination, err)
		}
		defer unix.Close(tree)
		return attach(tree, dst, m.Destination)
	}
	tree, err := unix.OpenTree(int(src.Fd()), "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("bind %s: clone source: %w", m.Destination, err)
	}
	defer unix.Close(tree)
	if set := bindAttrs(m.Options); set != 0 {
		attr := &unix.MountAttr{Attr_set: set}
		if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
			return fmt.Errorf("bind %s: set %v: %w", m.Destination, m.Options, err)
		}
	}
	return attach(tree, dst, m.Destination)
}

// attach moves a detached tree onto dst.
func attach(tree int, dst *os.File, dest string) error {
	if err := unix.MoveMount(tree, "", int(dst.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("bind %s: attach: %w", dest, err)
	}
	return nil
}

// openSource opens the bind source. The volume root is minipod's own
// directory; a subPath inside it is user data and is resolved in that root,
// created as a directory when missing (as the kubelet does).
func openSource(m specs.Mount) (*os.File, error) {
	sub := subPath(m.Options)
	if sub == "" {
		f, err := os.OpenFile(m.Source, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("open mount source for %s: %w", m.Destination, err)
		}
		return f, nil
	}
	vol, err := os.OpenFile(m.Source, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open volume for %s: %w", m.Destination, err)
	}
	defer vol.Close()
	if f, err := OpenInRoot(vol, sub); err == nil {
		return f, nil
	}
	f, err := mkdirSubPath(vol, sub)
	if err != nil {
		return nil, fmt.Errorf("subPath %q for %s: %w", sub, m.Destination, err)
	}
	return f, nil
}

// mkdirSubPath makes a missing subPath inside the volume with the volume
// root's permission bits, umask aside, as the kubelet does (SafeMakeDir
// with the volume's mode): a world-writable emptyDir's per-pod directory
// (subPathExpr: $(POD_NAME)) stays writable for a container that does not
// run as root. A setgid root (fsGroup) passes its group on by itself.
func mkdirSubPath(vol *os.File, sub string) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(vol.Fd()), &st); err != nil {
		return nil, fmt.Errorf("stat volume: %w", err)
	}
	old := unix.Umask(0)
	defer unix.Umask(old)
	return pathrs.MkdirAllHandle(vol, sub, os.FileMode(st.Mode&0o777))
}

// bindAttrs are the mount attributes a bind's options ask for: a new
// bind mount has none of its source's (ro, nosuid, nodev, noexec).
func bindAttrs(opts []string) uint64 {
	var set uint64
	for _, o := range []struct {
		name string
		attr uint64
	}{{"ro", unix.MOUNT_ATTR_RDONLY}, {"nosuid", unix.MOUNT_ATTR_NOSUID}, {"nodev", unix.MOUNT_ATTR_NODEV}, {"noexec", unix.MOUNT_ATTR_NOEXEC}} {
		if hasOption(opts, o.name) {
			set |= o.attr
		}
	}
	return set
}

func subPath(opts []string) string {
	for _, o := range opts {
		if strings.HasPrefix(o, SubPathOption) {
			return strings.TrimPrefix(o, SubPathOption)
		}
	}
	return ""
}

func hasOption(opts []string, want string) bool {
	for _, o := range opts {
		if o == want {
			return true
		}
	}
	return false
}
