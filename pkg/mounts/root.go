package mounts

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Setup turns the calling process's fresh mount namespace into the
// container's view described by spec and makes it the root. The caller must
// be the only user of this mount namespace (a new CLONE_NEWNS child).
// userns, for a pod with a user namespace of its own, is that namespace:
// the image and the bind mounts are then idmapped by it (idmap.go).
// pidns, where the caller is not in the PID namespace the container's
// processes will be in, is that namespace: /proc shows it (procns.go).
func Setup(spec *specs.Spec, userns, pidns *os.File) error {
	procPIDNS = pidns
	// Nothing we mount may propagate back to the monitor or the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	rootPath := spec.Root.Path
	if userns != nil {
		ids, err := rootID(spec)
		if err != nil {
			return err
		}
		newOwner = ids.HostID
	}
	if err := overlay(spec, userns); err != nil {
		return err
	}
	root, err := os.OpenFile(rootPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open root %s: %w", rootPath, err)
	}
	defer root.Close()
	if err := populate(root, spec, userns); err != nil {
		return err
	}
	if err := createCwd(root, spec.Process); err != nil {
		return err
	}
	if err := pivot(rootPath); err != nil {
		return err
	}
	if spec.Root.Readonly {
		if err := unix.Mount("", "/", "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("make root read-only: %w", err)
		}
	}
	return nil
}

func populate(root *os.File, spec *specs.Spec, userns *os.File) error {
	devsDone := false
	for _, m := range spec.Mounts {
		if err := checkDestination(m); err != nil {
			return err
		}
		if m.Type == "bind" {
			if err := bind(root, m, userns); err != nil {
				return err
			}
		} else if err := filesystem(root, m); err != nil {
			return err
		}
		// Device nodes go in as soon as /dev exists, before later mounts
		// (devpts, shm, mqueue) and masks that need /dev/null.
		if m.Destination == "/dev" && !devsDone && spec.Linux != nil {
			if err := devices(root, spec.Linux.Devices); err != nil {
				return err
			}
			if err := symlinks(root); err != nil {
				return err
			}
			devsDone = true
		}
	}
	if spec.Linux == nil {
		return nil
	}
	if err := mask(root, spec.Linux.MaskedPaths); err != nil {
		return err
	}
	return readonly(root, spec.Linux.ReadonlyPaths)
}

// checkDestination refuses a bind mount in or under /proc or /sys, as
// runc does: a file mounted over a kernel interface (say a fake
// /proc/sys/kernel/cap_last_cap) can lie to whatever reads it, minipod
// included. Validation refuses such volume mounts earlier; this keeps
// the rule for every config.json.
func checkDestination(m specs.Mount) error {
	if m.Type != "bind" {
		return nil
	}
	d := filepath.Clean("/" + m.Destination)
	for _, k := range []string{"/proc", "/sys"} {
		if d == k || strings.HasPrefix(d, k+"/") {
			return fmt.Errorf("mount destination %s is inside %s", m.Destination, k)
		}
	}
	return nil
}

// checkResolved applies checkDestination's rule to where the destination
// really is: an image can make /data or /etc/hosts a symlink into /proc,
// and resolving in the root follows it there.
func checkResolved(root, dst *os.File, dest string) error {
	rel, err := resolvedIn(root, dst, dest)
	if err != nil {
		return err
	}
	for _, k := range []string{"/proc", "/sys"} {
		if rel == k || strings.HasPrefix(rel, k+"/") {
			return fmt.Errorf("mount destination %s resolves to %s, inside %s", dest, rel, k)
		}
	}
	return nil
}

// resolvedIn is where dst, opened in root for dest, really is: its path
// below root.
func resolvedIn(root, dst *os.File, dest string) (string, error) {
	rootPath, err := os.Readlink(fdPath(root))
	if err != nil {
		return "", fmt.Errorf("mount %s: resolve root: %w", dest, err)
	}
	at, err := os.Readlink(fdPath(dst))
	if err != nil {
		return "", fmt.Errorf("mount %s: resolve destination: %w", dest, err)
	}
	return strings.TrimPrefix(at, strings.TrimSuffix(rootPath, "/")), nil
}

// createCwd creates the working directory inside the root, while its
// paths still resolve in the root by the kernel, without following magic
// links (a cwd of /proc/1/root/x must not create x on the host).
func createCwd(root *os.File, p *specs.Process) error {
	if p == nil || p.Cwd == "" || p.Cwd == "/" {
		return nil
	}
	h, err := mkdirAll(root, p.Cwd)
	if err != nil {
		return fmt.Errorf("create working directory %s: %w", p.Cwd, err)
	}
	return h.Close()
}

// overlay mounts the container's private writable root: the image directory
// as the read-only lower layer, the container's own upper and work dirs.
func overlay(spec *specs.Spec, userns *os.File) error {
	ann, target := spec.Annotations, spec.Root.Path
	lower, upper, work := ann[AnnotationLower], ann[AnnotationUpper], ann[AnnotationWork]
	if lower == "" || upper == "" || work == "" {
		return fmt.Errorf("mount root: spec lacks the overlay annotations")
	}
	mount := func() error { return mountOverlay(strings.Split(lower, ":"), upper, work, target) }
	if userns != nil {
		ids, err := rootID(spec)
		if err != nil {
			return err
		}
		mount = func() error { return idmappedOverlay(strings.Split(lower, ":"), upper, work, target, userns, ids) }
	}
	if err := mount(); err != nil {
		return fmt.Errorf("mount overlay root on %s: %w", target, err)
	}
	return nil
}

// maxMountData is what mount(2) copies of its data argument: one page.
const maxMountData = 4096 - 1

// mountOverlay mounts the layers (top first). An image with many layers
// overflows mount(2)'s one-page option string; then each layer gets a short
// numbered symlink next to the mount point and the layers are named through
// those, relative to their directory, which we enter first (the kernel
// resolves relative lowerdirs against the caller's working directory and
// follows the links once, at mount time).
func mountOverlay(layers []string, upper, work, target string) error {
	data := "lowerdir=" + strings.Join(layers, ":") + ",upperdir=" + upper + ",workdir=" + work
	if len(data) <= maxMountData {
		return unix.Mount("overlay", target, "overlay", 0, data)
	}
	links := filepath.Join(filepath.Dir(target), "layers")
	if err := os.MkdirAll(links, 0o700); err != nil {
		return err
	}
	short := make([]string, len(layers))
	for i, l := range layers {
		short[i] = strconv.Itoa(i)
		_ = os.Remove(filepath.Join(links, short[i]))
		if err := os.Symlink(l, filepath.Join(links, short[i])); err != nil {
			return err
		}
	}
	data = "lowerdir=" + strings.Join(short, ":") + ",upperdir=" + upper + ",workdir=" + work
	if len(data) > maxMountData {
		return fmt.Errorf("%d layers do not fit in one overlay mount", len(layers))
	}
	old, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := unix.Chdir(links); err != nil {
		return err
	}
	defer unix.Chdir(old) //nolint:errcheck // restoring is best effort; pivot follows
	return unix.Mount("overlay", target, "overlay", 0, data)
}

// pivot makes newRoot the root and detaches the old one, so nothing of the
// host's filesystem stays reachable.
func pivot(newRoot string) error {
	if err := unix.Chdir(newRoot); err != nil {
		return fmt.Errorf("enter root: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}
