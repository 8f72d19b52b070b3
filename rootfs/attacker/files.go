package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// openPath opens PATH for reading ("r", then reads up to BYTES) or writing
// ("w", and writes nothing): whether a device node made in the container
// reaches the host's device is decided at open.
func openPath(args []string) error {
	flags := unix.O_RDONLY
	switch args[1] {
	case "r":
	case "w":
		flags = unix.O_WRONLY
	default:
		return fmt.Errorf("mode must be r or w, not %q", args[1])
	}
	fd, err := unix.Open(args[0], flags|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		fmt.Printf("open %s %s: %s\n", args[0], args[1], errno(err))
		return err
	}
	defer unix.Close(fd)
	fmt.Printf("open %s %s: OK\n", args[0], args[1])
	if len(args) < 3 || flags != unix.O_RDONLY {
		return nil
	}
	n, err := strconv.Atoi(args[2])
	if err != nil {
		return fmt.Errorf("bad byte count %q", args[2])
	}
	got, err := unix.Read(fd, make([]byte, n))
	if err != nil {
		fmt.Printf("read %s: %s\n", args[0], errno(err))
		return err
	}
	fmt.Printf("read %s: %d bytes\n", args[0], got)
	return nil
}

// lease makes PATH a new regular file and holds a read lease on it: when
// anyone opens it for writing, the kernel tells us (SIGIO) and makes the
// opener wait until we let go (we never do) or lease-break-time passes.
// A privileged process that opens a path in a container-writable directory
// is thus both seen and stalled.
func lease(args []string) error {
	d, err := seconds(args[1])
	if err != nil {
		return err
	}
	if err := os.WriteFile(args[0], nil, 0o666); err != nil {
		return err
	}
	fd, err := unix.Open(args[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGIO)
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK); err != nil {
		return fmt.Errorf("lease %s: %w", args[0], err)
	}
	fmt.Printf("leased %s\n", args[0])
	select {
	case <-sigs:
		fmt.Printf("OPENED %s: someone opened it for writing\n", args[0])
		time.Sleep(d) // hold on: the opener stays stuck
	case <-time.After(d):
		fmt.Printf("nobody opened %s\n", args[0])
	}
	return nil
}

// fifoWatch makes PATH a FIFO and opens its write end, which blocks until
// someone opens the FIFO for reading: then we know.
func fifoWatch(args []string) error {
	d, err := seconds(args[1])
	if err != nil {
		return err
	}
	if err := unix.Mkfifo(args[0], 0o666); err != nil {
		return fmt.Errorf("mkfifo %s: %w", args[0], err)
	}
	fmt.Printf("watching %s\n", args[0])
	opened := make(chan error, 1)
	go func() {
		fd, err := unix.Open(args[0], unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			return err
		}
		fmt.Printf("OPENED %s: someone opened it for reading\n", args[0])
	case <-time.After(d):
		fmt.Printf("nobody opened %s\n", args[0])
	}
	return nil
}
