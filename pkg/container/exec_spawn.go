package container

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// forkSpawn forks an exec'd command of a container whose processes may
// trace it (ExecOptions.Spawn). A fork of the monitor shares its memory
// until it execs (Go forks with CLONE_VM), and one born in the container's
// PID namespace could be stopped there by a tracer holding CAP_SYS_PTRACE
// in the host's user namespace, and made to run its code in the monitor.
// Here nothing the container can see is ever the monitor's: the fork is
// born in our PID namespace, joins every other namespace and the cgroup,
// and execs minipod-init's enter role; Enter joins the PID namespace for
// its children, becomes the container's process, and execs the spawn
// role, which forks the command (a plain fork) as our child, reports its
// PID and exits. It returns the status pipe to await (awaitSpawn), and
// with a TTY the master side (the command makes the slave its controlling
// terminal itself: the fork here is a session leader without one).
func forkSpawn(o ExecOptions, set *ns.Set, place *cgroups.Placement, filter *seccomp.Program) (pid int, master *os.File, e *enterChild, err error) {
	pidNS, mnt := set.File("pid"), set.File("mnt")
	if pidNS == nil || mnt == nil {
		return 0, nil, nil, errors.New("the container has no PID or mount namespace of its own to spawn the command in")
	}
	if call := SpawnDenied(filter); call != "" {
		return 0, nil, nil, fmt.Errorf("the container's seccomp profile denies %s, which a command needs to be started safely where a container that sees it may trace it (CAP_SYS_PTRACE): exec is refused", call)
	}
	p := *o.Spec.Process
	p.Args = o.Args
	handoff, err := ctrinit.WriteSpawnHandoff(&p, filter, p.NoNewPrivileges)
	if err != nil {
		return 0, nil, nil, err
	}
	defer handoff.Close()
	files, master, slave, err := execStdio(o, set)
	if err != nil {
		return 0, nil, nil, err
	}
	if slave != nil {
		defer slave.Close()
	}
	fail := func(err error) (int, *os.File, *enterChild, error) {
		closeIf(master)
		return 0, nil, nil, err
	}
	// minipod-init twice: once handed (fd 8, for Enter to exec as the
	// spawn role), once to exec here, at a number clear of the handed.
	handed, err := unix.Open(o.Exe, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("open minipod-init: %w", err))
	}
	defer unix.Close(handed)
	r, w, err := os.Pipe()
	if err != nil {
		return fail(fmt.Errorf("status pipe: %w", err))
	}
	defer w.Close()
	pidfd := -1
	attr := &syscall.ProcAttr{
		Env: ctrinit.RuntimeEnv(),
		// ctrinit's fds: status at 3, no user namespace at 4, the
		// handoff, the mount and PID namespaces, then minipod-init.
		Files: []uintptr{files[0].Fd(), files[1].Fd(), files[2].Fd(), w.Fd(), ^uintptr(0), handoff.Fd(), mnt.Fd(), pidNS.Fd(), uintptr(handed)},
		Sys:   &syscall.SysProcAttr{Setsid: true, PidFD: &pidfd},
	}
	exe, err := selfexe.OpenClear(o.Exe, attr.Files)
	if err != nil {
		r.Close()
		return fail(fmt.Errorf("open minipod-init: %w", err))
	}
	defer unix.Close(exe)
	pid, err = forkEnterRole(set.Without("mnt", "pid"), place, exe, attr)
	if err != nil {
		r.Close()
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
		return fail(fmt.Errorf("%s: %w", o.Args[0], err))
	}
	return pid, master, &enterChild{status: r, pidfd: pidfd, spawned: true}, nil
}

// awaitSpawn reads the spawn role's report: the command's PID (a zero
// byte, then 4 bytes little-endian), then EOF when it runs, or why it
// could not. The command is our child: we reap it, and a command that
// failed is reaped as any. After reportLimit (a container that may trace
// can stop the command before its exec) the command is killed.
func awaitSpawn(e *enterChild, name string, place *cgroups.Placement) (int, error) {
	defer e.status.Close()
	defer unix.Close(e.pidfd)
	_ = e.status.SetReadDeadline(time.Now().Add(reportLimit))
	var head [5]byte
	if _, err := io.ReadFull(e.status, head[:]); err != nil || head[0] != 0 {
		rest, _ := io.ReadAll(io.LimitReader(e.status, 4096))
		_ = unix.PidfdSendSignal(e.pidfd, unix.SIGKILL, nil, 0)
		switch {
		case err == nil:
			err = errors.New(printable(append(head[:], rest...)))
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			err = errors.New("minipod-init ended without starting the command")
		}
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	pid := int(binary.LittleEndian.Uint32(head[1:]))
	fd, err := reportedChild(pid, place)
	if err != nil {
		// A tracer that took the command over before its exec could
		// write first: never a PID we did not fork, to wait for or kill.
		_ = unix.PidfdSendSignal(e.pidfd, unix.SIGKILL, nil, 0)
		return 0, fmt.Errorf("%s: minipod-init %w", name, err)
	}
	defer closeFD(fd)
	msg, err := io.ReadAll(io.LimitReader(e.status, 4096))
	if err != nil {
		killFD(fd)
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if len(msg) > 0 {
		// The command's exec failed, or something else wrote here: it
		// must not run on untracked.
		killFD(fd)
		return 0, fmt.Errorf("%s: %s", name, printable([]byte(ctrinit.SpawnFailure(msg).Error())))
	}
	return pid, nil
}

// reportedChild checks that pid, which a spawn reported, is a process
// (not a thread's ID), a child of ours and in the container's cgroup
// (place: not another container's process, which a tracer could name),
// and returns a pidfd of it to kill it by, or -1 where it is gone already
// (reaped by the monitor's reaper, which holds its exit for the claim).
func reportedChild(pid int, place *cgroups.Placement) (int, error) {
	if pid <= 0 {
		return -1, fmt.Errorf("reported process %d", pid)
	}
	// pidfd_open refuses a thread that does not lead its process.
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1, nil
	}
	if err != nil {
		return -1, fmt.Errorf("reported process %d, not a process: %w", pid, err)
	}
	if !ourChild(pid) {
		unix.Close(fd)
		return -1, fmt.Errorf("reported process %d, not a child of ours", pid)
	}
	// An exited process has left its cgroup already: a fast command
	// may have run and ended before the report was read.
	if in, err := place.Holds(pid); (err != nil || !in) && !exited(pid) {
		unix.Close(fd)
		return -1, fmt.Errorf("reported process %d, not in the container's cgroup (%v)", pid, err)
	}
	return fd, nil
}

// exited says whether pid is a zombie, or gone.
func exited(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH)
	}
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && len(data) > i+2 && data[i+2] == 'Z'
}

// killFD sends SIGKILL through pidfd fd (-1: the process is gone).
func killFD(fd int) {
	if fd >= 0 {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
}

func closeFD(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// ourChild says whether pid is a child of this process, or gone already
// (reaped by the monitor's reaper, which holds its exit for the claim).
func ourChild(pid int) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH) {
		return true
	}
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	fields := strings.Fields(string(data[i+1:]))
	return i >= 0 && len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid())
}
