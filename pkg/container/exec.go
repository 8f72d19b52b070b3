package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/minipod/minipod/pkg/ns"
	"golang.org/x/sys/unix"
)

// ExecOptions describes a command to run inside a running container.
type ExecOptions struct {
	PID  int // the container's main process (host PID)
	Args []string
	Env  []string
	Cwd  string
	Caps []string // the container's capability set
	// UID and GID are the container's user; the command runs as it.
	UID, GID uint32
	// Stdin, Stdout, Stderr become the command's fds 0, 1, 2.
	Stdin, Stdout, Stderr *os.File
	// TTY gives the command a terminal from the container's own devpts
	// (so ttyname() works inside); Stdin/Stdout/Stderr are then unused and
	// OnTTY receives the master side once the command runs.
	TTY   bool
	OnTTY func(master *os.File)
}

// Exec runs a command in every namespace of the container (ipc, uts, net,
// pid, mnt), with its environment and capabilities, and returns its exit
// status the way a shell reports it (128+N for signal N).
func Exec(o ExecOptions) (int, error) {
	// The child forked into the container shares our memory until it
	// execs, and sits in the container's PID namespace: while this process
	// is dumpable, a container process could open /proc/CHILD/mem (our
	// memory, a host root process) or /proc/CHILD/exe (the minipod binary).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("exec: set non-dumpable: %w", err)
	}
	set, err := ns.Open(o.PID, ns.Kinds...)
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	defer set.Close()
	var pid int
	var master *os.File
	err = set.Do(func() error {
		if o.TTY {
			m, slave, err := openPTY()
			if err != nil {
				return err
			}
			defer slave.Close()
			master, o.Stdin, o.Stdout, o.Stderr = m, slave, slave, slave
		}
		var ferr error
		pid, ferr = forkInside(o)
		return ferr
	})
	if err != nil {
		if master != nil {
			master.Close()
		}
		return 0, err
	}
	if master != nil && o.OnTTY != nil {
		o.OnTTY(master)
	}
	return wait(pid)
}

// openPTY opens a terminal pair in the current mount namespace's devpts;
// called on the thread that joined the container, it is the container's.
func openPTY() (*os.File, *os.File, error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("exec: open /dev/ptmx: %w", err)
	}
	master := os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("exec: unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("exec: pty number: %w", err)
	}
	name := "/dev/pts/" + strconv.Itoa(n)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("exec: open %s: %w", name, err)
	}
	return master, os.NewFile(uintptr(sfd), name), nil
}

// forkInside runs on the thread that joined the container: lookups see the
// container's root, and the capability limits apply to the child only,
// because this thread dies afterwards.
func forkInside(o ExecOptions) (int, error) {
	path, err := lookPath(o.Args[0], o.Env)
	if err != nil {
		return 0, err
	}
	if err := limitCaps(o.Caps); err != nil {
		return 0, err
	}
	cwd := o.Cwd
	if cwd == "" {
		cwd = "/"
	}
	attr := &syscall.ProcAttr{
		Dir:   cwd,
		Env:   o.Env,
		Files: []uintptr{o.Stdin.Fd(), o.Stdout.Fd(), o.Stderr.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: o.TTY, Setctty: o.TTY, Ctty: 0},
	}
	if o.UID != 0 || o.GID != 0 {
		attr.Sys.Credential = &syscall.Credential{Uid: o.UID, Gid: o.GID, Groups: []uint32{o.GID}}
	}
	pid, err := syscall.ForkExec(path, o.Args, attr)
	if err != nil {
		return 0, fmt.Errorf("exec %s: %w", o.Args[0], err)
	}
	return pid, nil
}

func wait(pid int) (int, error) {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("wait for exec: %w", err)
		}
		return ExitCode(ws), nil
	}
}

// ExitCode turns a wait status into a shell-style exit code.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
