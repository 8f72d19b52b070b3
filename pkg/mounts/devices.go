package mounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// devices creates the spec's device nodes in the container's fresh /dev
// tmpfs. The nodes are made, not bind-mounted from the host, so the container
// never holds a reference into the host's /dev. Each directory is opened
// once for all its nodes (they are all in /dev, as a rule), under one umask.
func devices(root *os.File, devs []specs.LinuxDevice) error {
	dirs := map[string]int{}
	defer func() {
		for _, fd := range dirs {
			unix.Close(fd)
		}
	}()
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devs {
		parent := filepath.Dir(d.Path)
		dfd, ok := dirs[parent]
		if !ok {
			var err error
			if dfd, err = openDirFd(root, parent); err != nil {
				return fmt.Errorf("device %s: %w", d.Path, err)
			}
			dirs[parent] = dfd
		}
		if err := mknod(dfd, d); err != nil {
			return err
		}
	}
	return nil
}

// openDirFd resolves dir in the container's root and opens it as a real
// directory (mknodat needs one, not the O_PATH handle).
func openDirFd(root *os.File, dir string) (int, error) {
	h, err := openDir(root, dir)
	if err != nil {
		return -1, err
	}
	defer h.Close()
	return unix.Openat(int(h.Fd()), ".", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
}

// mknod makes device d in the directory dfd; the caller set the umask to 0.
func mknod(dfd int, d specs.LinuxDevice) error {
	mode := uint32(0o666)
	if d.FileMode != nil {
		mode = uint32(*d.FileMode)
	}
	switch d.Type {
	case "c", "u":
		mode |= unix.S_IFCHR
	case "b":
		mode |= unix.S_IFBLK
	default:
		return fmt.Errorf("device %s: unsupported type %q", d.Path, d.Type)
	}
	err := unix.Mknodat(dfd, filepath.Base(d.Path), mode, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor))))
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("create device %s: %w", d.Path, err)
	}
	return nil
}

// devSymlinks are the links every Linux program expects in /dev.
var devSymlinks = [][2]string{
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
	{"pts/ptmx", "/dev/ptmx"},
}

func symlinks(root *os.File) error {
	dfd, err := openDirFd(root, "/dev")
	if err != nil {
		return fmt.Errorf("open /dev: %w", err)
	}
	defer unix.Close(dfd)
	for _, l := range devSymlinks {
		err := unix.Symlinkat(l[0], dfd, filepath.Base(l[1]))
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("link %s: %w", l[1], err)
		}
	}
	return nil
}
