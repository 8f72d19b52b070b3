package mounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A pod with its own user namespace (hostUsers: false) sees its image and
// volumes through idmapped mounts: a file the host stores as uid 0 is uid 0
// in the pod, and what the pod writes as its root is stored as uid 0,
// while its processes run as unprivileged host uids. The mapping is the
// user namespace handed to Setup, as the kubelet's runtimes do it.

// IDMapOption asks for a bind mount idmapped, recursively, by the user
// namespace handed to Setup (the OCI spec's word for it).
const IDMapOption = "ridmap"

// IDMapped clones the mount of the directory at fd (recursively with
// rec) as a detached tree whose ids are shifted by userns, with attrs set
// too (read-only and the like).
func IDMapped(fd int, userns *os.File, attrs uint64, rec bool) (int, error) {
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC | unix.AT_EMPTY_PATH
	setFlags := unix.AT_EMPTY_PATH
	if rec {
		flags |= unix.AT_RECURSIVE
		setFlags |= unix.AT_RECURSIVE
	}
	tree, err := unix.OpenTree(fd, "", uint(flags))
	if err != nil {
		return -1, fmt.Errorf("clone mount: %w", err)
	}
	attr := &unix.MountAttr{Attr_set: attrs | unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	if err := unix.MountSetattr(tree, "", uint(setFlags), attr); err != nil {
		unix.Close(tree)
		return -1, fmt.Errorf("idmap mount: %w", err)
	}
	return tree, nil
}

// idmappedOverlay mounts the container's root in a user namespace: every
// layer an idmapped clone named by its descriptor (/proc/self/fd/N,
// followed once at mount time, so no store path ends up in the option
// string), and the upper directory owned by the namespace's root, whose
// owner and mode the root directory takes.
func idmappedOverlay(layers []string, upper, work, target string, userns *os.File, ids specs.LinuxIDMapping) error {
	names := make([]string, len(layers))
	for i, l := range layers {
		dir, err := unix.Open(l, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open layer: %w", err)
		}
		tree, err := IDMapped(dir, userns, 0, false)
		unix.Close(dir)
		if err != nil {
			return fmt.Errorf("layer %s: %w", l, err)
		}
		defer unix.Close(tree)
		names[i] = "/proc/self/fd/" + strconv.Itoa(tree)
	}
	if err := os.Lchown(upper, int(ids.HostID), int(ids.HostID)); err != nil {
		return fmt.Errorf("own upper directory: %w", err)
	}
	data := "lowerdir=" + strings.Join(names, ":") + ",upperdir=" + upper + ",workdir=" + work
	if len(data) > maxMountData {
		return fmt.Errorf("%d layers do not fit in one overlay mount", len(layers))
	}
	return unix.Mount("overlay", target, "overlay", 0, data)
}

// rootID is the host id of the user namespace's root, from the spec's
// mappings (specconv writes one range for uids and the same for gids).
func rootID(spec *specs.Spec) (specs.LinuxIDMapping, error) {
	if spec.Linux == nil || len(spec.Linux.UIDMappings) != 1 || spec.Linux.UIDMappings[0].ContainerID != 0 {
		return specs.LinuxIDMapping{}, fmt.Errorf("container config: a user namespace needs one uid mapping from 0")
	}
	return spec.Linux.UIDMappings[0], nil
}

// newOwner, while Setup builds the root of a pod with its own user
// namespace, is the host id of that namespace's root: what init creates in
// the root (the working directory, mount points) is that root's, as it
// would be had it been created inside, not the host's root's, whom the
// container could not write as. Zero otherwise. Setup runs once per init
// process, on its one locked thread.
var newOwner uint32

// mkdirAll is pathrs-lite's MkdirAllHandle, giving what it created to
// newOwner. With an owner to give to, it creates the missing directories
// itself, one at a time, each through its parent's descriptor and chowned
// through its own: a container sharing a volume above dest cannot swap a
// new directory for a symlink and have something else chowned instead (an
// open without following fails on the symlink).
func mkdirAll(root *os.File, dest string) (*os.File, error) {
	missing := missingFrom(root, dest)
	if newOwner == 0 || len(missing) == 0 {
		return pathrs.MkdirAllHandle(root, dest, 0o755)
	}
	h, err := OpenInRoot(root, filepath.Dir(missing[0]))
	if err != nil {
		return nil, fmt.Errorf("mkdir %s: %w", dest, err)
	}
	for _, p := range missing {
		next, err := mkdirOwned(h, p)
		h.Close()
		if errors.Is(err, unix.EEXIST) {
			// Made meanwhile, or a symlink (dangling: it did not
			// open): not ours to own; the rest is made as without an
			// owner, following it inside the root.
			return pathrs.MkdirAllHandle(root, dest, 0o755)
		}
		if err != nil {
			return nil, err
		}
		h = next
	}
	return h, nil
}

// mkdirOwned makes the last element of path in parent, for newOwner, and
// returns it opened.
func mkdirOwned(parent *os.File, path string) (*os.File, error) {
	name := filepath.Base(path)
	if err := unix.Mkdirat(int(parent.Fd()), name, 0o755); err != nil {
		return nil, fmt.Errorf("mkdir %s: %w", path, err)
	}
	fd, err := unix.Openat(int(parent.Fd()), name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	h := os.NewFile(uintptr(fd), path)
	if err := ownHandle(h, path); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// missingFrom lists dest and its parents that are not in root yet,
// outermost first.
func missingFrom(root *os.File, dest string) []string {
	if newOwner == 0 {
		return nil
	}
	var missing []string
	for p := filepath.Clean("/" + dest); p != "/"; p = filepath.Dir(p) {
		h, err := OpenInRoot(root, p)
		if err == nil {
			h.Close()
			break
		}
		missing = append([]string{p}, missing...)
	}
	return missing
}

// ownHandle gives h to newOwner if init made it: only what init made is
// owned by the host's root (through the idmapped layers and volumes, what
// was there is the pod's ids), so a directory a container renamed into
// the place of one init made, or made there first, is left as it is.
func ownHandle(h *os.File, path string) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return fmt.Errorf("own %s: %w", path, err)
	}
	if st.Uid != 0 {
		return nil
	}
	if err := unix.Fchownat(int(h.Fd()), "", int(newOwner), int(newOwner), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("own %s: %w", path, err)
	}
	return nil
}
