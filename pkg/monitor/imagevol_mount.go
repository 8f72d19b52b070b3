package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/mounts"
	"golang.org/x/sys/unix"
)

// mountImage mounts img's files on dir, in the monitor's own mount
// namespace (they go with it), as an overlay of its layers without an
// upper layer: a filesystem that is read-only in itself, so that not even
// a container given CAP_SYS_ADMIN, which may remount its bind of the
// volume read-write, can write through it into the store's trees, which
// other pods' roots stack too. Nothing is copied. A directory image, or an
// image of one layer, is one tree; an overlay without an upper layer needs
// two, so an empty directory beside the volumes is the second.
// The mount is also nosuid, nodev and noexec, as the runtimes mount an
// image volume (noexec: the API's documentation of the field).
//
// In a pod with its own user namespace (userns) every layer is an
// idmapped clone, so that the files keep their owners in there (the
// overlay itself cannot be idmapped, nor then the containers' binds of it).
func mountImage(dir string, img *image.Image, userns *os.File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	layers := img.Layers
	if len(layers) == 0 {
		layers = []string{img.RootFS} // a directory image is one tree
	}
	if len(layers) == 1 {
		empty := filepath.Join(filepath.Dir(dir), ".empty-layer")
		if err := os.Mkdir(empty, 0o755); err != nil && !os.IsExist(err) {
			return err
		}
		layers = []string{empty, layers[0]}
	}
	return overlayReadOnly(layers, dir, userns)
}

// maxMountData is what mount(2) copies of its options: one page.
const maxMountData = 4096 - 1

// overlayReadOnly stacks layers (lowest first) on dir. Each layer is named
// by a descriptor (/proc/self/fd/N, which the kernel follows once, when it
// mounts): ~18 bytes a layer whatever the store's path, so that 200 fit in
// mount(2)'s page on any kernel (Docker's images stop at 127), and no
// character of a path (',' or ':' in the store's root) can end up read as
// an overlay option.
func overlayReadOnly(layers []string, dir string, userns *os.File) error {
	names := make([]string, len(layers))
	for i, l := range layers {
		fd, err := openLayer(l, userns)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		names[len(layers)-1-i] = "/proc/self/fd/" + strconv.Itoa(fd) // top first
	}
	data := "lowerdir=" + strings.Join(names, ":")
	if len(data) > maxMountData {
		return fmt.Errorf("an image of %d layers does not fit one overlay mount", len(layers))
	}
	const flags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	if err := unix.Mount("overlay", dir, "overlay", flags, data); err != nil {
		return fmt.Errorf("mount overlay of %d layers on %s: %w", len(layers), dir, err)
	}
	return nil
}

// openLayer opens a layer to be named by its descriptor: the directory,
// or with userns an idmapped clone of it.
func openLayer(l string, userns *os.File) (int, error) {
	fd, err := unix.Open(l, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open layer %s: %w", l, err)
	}
	if userns == nil {
		return fd, nil
	}
	defer unix.Close(fd)
	tree, err := mounts.IDMapped(fd, userns, 0, false)
	if err != nil {
		return -1, fmt.Errorf("layer %s: %w", l, err)
	}
	return tree, nil
}
