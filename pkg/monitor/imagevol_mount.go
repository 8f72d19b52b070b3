package monitor

import (
	"fmt"
	"os"
	"strings"

	"github.com/minipod/minipod/pkg/image"
	"golang.org/x/sys/unix"
)

// imageVolumeAttrs are the image volume's mount flags, for the monitor's
// mount and again for each container's bind of it (a bind does not
// inherit them): the image's files are read only, and no program,
// set-user-ID bit or device node in them works, as the runtimes mount an
// image volume (noexec: the API's documentation of the field).
const imageVolumeAttrs = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC

// mountImage mounts img's files on dir, in the monitor's own mount
// namespace (they go with it): one tree (a directory image, or an image of
// one layer) is bound, several layers are stacked by an overlay without an
// upper layer, which no one can make writable. The store's trees stay
// where they are: nothing is copied.
func mountImage(dir string, img *image.Image) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	layers := img.Layers
	if len(layers) == 0 {
		layers = []string{img.RootFS} // a directory image is one tree
	}
	if len(layers) == 1 {
		return bindReadOnly(layers[0], dir)
	}
	return overlayReadOnly(layers, dir)
}

// bindReadOnly binds tree on dir with imageVolumeAttrs.
func bindReadOnly(tree, dir string) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, tree, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("clone %s: %w", tree, err)
	}
	defer unix.Close(fd)
	attr := &unix.MountAttr{Attr_set: imageVolumeAttrs}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
		return fmt.Errorf("make %s read-only: %w", tree, err)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, dir, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount %s on %s: %w", tree, dir, err)
	}
	return nil
}

// maxMountData is what mount(2) copies of its options: one page.
const maxMountData = 4096 - 1

// overlayReadOnly stacks layers (lowest first) on dir. An overlay with no
// upper layer is read-only by itself. Layers whose paths do not fit
// mount(2)'s one page go one by one through fsconfig's "lowerdir+"
// (Linux 6.8) instead.
func overlayReadOnly(layers []string, dir string) error {
	top := make([]string, len(layers))
	for i, l := range layers {
		top[len(layers)-1-i] = l
	}
	const flags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	if data := "lowerdir=" + strings.Join(top, ":"); len(data) <= maxMountData {
		if err := unix.Mount("overlay", dir, "overlay", flags, data); err != nil {
			return fmt.Errorf("mount overlay of %d layers on %s: %w", len(layers), dir, err)
		}
		return nil
	}
	return overlayByLayer(top, dir)
}

// overlayByLayer is overlayReadOnly through the new mount API, one layer
// (top first) per call.
func overlayByLayer(top []string, dir string) error {
	fs, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open overlay: %w", err)
	}
	defer unix.Close(fs)
	for _, l := range top {
		if err := unix.FsconfigSetString(fs, "lowerdir+", l); err != nil {
			return fmt.Errorf("overlay of %d layers (too many for one mount on this kernel): %w", len(top), err)
		}
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return fmt.Errorf("create overlay: %w", err)
	}
	mnt, err := unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, imageVolumeAttrs)
	if err != nil {
		return fmt.Errorf("mount overlay: %w", err)
	}
	defer unix.Close(mnt)
	if err := unix.MoveMount(mnt, "", unix.AT_FDCWD, dir, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("attach overlay on %s: %w", dir, err)
	}
	return nil
}
