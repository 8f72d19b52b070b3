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
// never holds a reference into the host's /dev.
func devices(root *os.File, devs []specs.LinuxDevice) error {
	for _, d := range devs {
		if err := mknod(root, d); err != nil {
			return err
		}
	}
	return nil
}

func mknod(root *os.File, d specs.LinuxDevice) error {
	dir, err := openDir(root, filepath.Dir(d.Path))
	if err != nil {
		return err
	}
	defer dir.Close()
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
	// Reopen the O_PATH handle as a real directory fd for mknodat.
	dfd, err := unix.Openat(int(dir.Fd()), ".", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("device %s: %w", d.Path, err)
	}
	defer unix.Close(dfd)
	name := filepath.Base(d.Path)
	old := unix.Umask(0)
	err = unix.Mknodat(dfd, name, mode, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor))))
	unix.Umask(old)
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
	dev, err := openDir(root, "/dev")
	if err != nil {
		return err
	}
	defer dev.Close()
	dfd, err := unix.Openat(int(dev.Fd()), ".", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
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
