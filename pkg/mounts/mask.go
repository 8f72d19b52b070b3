package mounts

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mask hides kernel interfaces a container must not read: directories get an
// empty read-only tmpfs, files the container's own /dev/null. Paths that do
// not exist on this kernel are skipped.
func mask(root *os.File, paths []string) error {
	null, err := OpenInRoot(root, "/dev/null")
	if err != nil {
		return fmt.Errorf("mask paths: open /dev/null: %w", err)
	}
	defer null.Close()
	if err := isNull(null); err != nil {
		return err
	}
	for _, p := range paths {
		if err := maskOne(root, null, p); err != nil {
			return err
		}
	}
	return nil
}

// isNull refuses anything but the real null device as the mask source, the
// lesson of CVE-2025-31133.
func isNull(f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		return errors.New("mask paths: /dev/null is not the null device")
	}
	return nil
}

func maskOne(root, null *os.File, p string) error {
	h, err := OpenInRoot(root, p)
	if errors.Is(err, unix.ENOENT) {
		return nil // absent on this kernel: nothing to hide
	}
	if err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	defer h.Close()
	dir, err := isDir(h)
	if err != nil {
		return err
	}
	if dir {
		err = unix.Mount("tmpfs", fdPath(h), "tmpfs", unix.MS_RDONLY, "size=0")
	} else {
		err = unix.Mount(fdPath(null), fdPath(h), "", unix.MS_BIND, "")
	}
	if err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	return nil
}

// readonly makes each path a read-only bind of itself.
func readonly(root *os.File, paths []string) error {
	for _, p := range paths {
		h, err := OpenInRoot(root, p)
		if err != nil {
			continue
		}
		err = roRemount(h)
		h.Close()
		if err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	return nil
}

func roRemount(h *os.File) error {
	tree, err := unix.OpenTree(int(h.Fd()), "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return err
	}
	defer unix.Close(tree)
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
		return err
	}
	return unix.MoveMount(tree, "", int(h.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}
