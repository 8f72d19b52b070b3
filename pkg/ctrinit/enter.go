package ctrinit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/minipod/minipod/pkg/leanjson"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/selfexe"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A pod with hostUsers: false runs its processes in a user namespace of
// its own. A process joins one with setns(2) only while it has a single
// thread, which a Go program never has once its runtime started; so every
// process of such a pod ends with a fresh execve of minipod-init as
// EnterRole, whose entry point (before Go's runtime) joins the user
// namespace at EnterUserNSFd. Enter then applies the process description
// handed over at enterHandoffFd, as root of the pod's user namespace, and
// execs the command. Everything that needs the host's privilege (building
// the root, mounting /proc and /sys, device nodes) is done before, by init
// in the host's user namespace: the container's mount and PID namespaces
// stay the host's, so its processes cannot mount or unmount anything,
// while the pod's network, IPC and UTS namespaces belong to its user
// namespace, where its capabilities apply.
//
// An exec'd command of a pod in the host's user namespace takes the same
// last step, without a user namespace, when its seccomp profile may not be
// loaded on a thread of the monitor (the monitor would run under it until
// the fork): the process it makes of minipod-init is the one under the
// filter.
const (
	// EnterRole is the argv[1] of that last step.
	EnterRole = "enter"
	// EnterUserNSFd is where the user namespace to join is handed; the
	// entry point (cmd/minipod-init/entry_amd64.s) names it too.
	EnterUserNSFd = 4
	// enterHandoffFd holds the process description (WriteHandoff).
	enterHandoffFd = 5
	// enterMountFd is, for an exec'd command, the container's mount
	// namespace, which the entry point joins before the user namespace.
	enterMountFd = 6
	// SpawnRole is the argv[1] of the process that forks a spawned
	// command (a handoff's Spawn; cmd/minipod-init/spawn_amd64.s).
	SpawnRole = "spawn"
	// enterPidFd and enterExeFd are, for a spawned command, the
	// container's PID namespace and minipod-init itself.
	enterPidFd = 7
	enterExeFd = 8
)

// Entry point outcomes, as the entry point leaves them.
const (
	entryNotRun = 0 // a build without the entry point
	entryJoined = 2
)

// handoff is what Enter needs of the container's config.json.
type handoff struct {
	Process *specs.Process `json:"process"`
	// Late: load the filter after Confine (no_new_privs), as init does.
	Late bool `json:"late,omitempty"`
	// JoinMount: the entry point was to join the mount namespace at
	// enterMountFd (an exec; init is in it already).
	JoinMount bool `json:"joinMount,omitempty"`
	// JoinUser: the entry point was to join the user namespace at
	// EnterUserNSFd (a pod with hostUsers: false). Without it, an exec'd
	// command of a pod in the host's user namespace whose seccomp profile
	// cannot be loaded on a thread of the monitor.
	JoinUser bool `json:"joinUser,omitempty"`
	// Filter: a seccomp program follows; its absence is then an error,
	// never a process left unfiltered.
	Filter bool `json:"filter,omitempty"`
	// Spawn: an exec'd command in a container whose processes may trace
	// it (CAP_SYS_PTRACE in the host's user namespace). Enter runs in the
	// host's PID namespace, where they cannot see it; it joins the one
	// at enterPidFd for its children, becomes the container's process,
	// and execs minipod-init (enterExeFd) as SpawnRole, which forks the
	// command there with no memory shared, as the monitor's child, and
	// reports its PID. Nothing unconfined, and nothing of the monitor, is
	// ever in their sight.
	Spawn bool `json:"spawn,omitempty"`
}

// maxHandoff bounds the handoff, far above any process description and
// filter (a filter has at most 4096 instructions of 8 bytes).
const maxHandoff = 16 << 20

// WriteHandoff puts p and its seccomp filter in a sealed memfd for Enter:
// an 8-byte length, p as JSON, then the filter's binary encoding.
func WriteHandoff(p *specs.Process, filter *seccomp.Program, late, joinMount, joinUser bool) (*os.File, error) {
	return writeHandoff(handoff{Process: p, Late: late, JoinMount: joinMount, JoinUser: joinUser}, filter)
}

// WriteSpawnHandoff is WriteHandoff for an exec'd command of a pod in the
// host's user namespace that the spawn role forks (handoff.Spawn): it expects
// the container's mount namespace at fd 6, its PID namespace at fd 7 and
// minipod-init at fd 8.
func WriteSpawnHandoff(p *specs.Process, filter *seccomp.Program, late bool) (*os.File, error) {
	return writeHandoff(handoff{Process: p, Late: late, JoinMount: true, Spawn: true}, filter)
}

func writeHandoff(h handoff, filter *seccomp.Program) (*os.File, error) {
	h.Filter = filter != nil
	js, err := leanjson.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("hand over process: %w", err)
	}
	var prog []byte
	if filter != nil {
		if prog, err = filter.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("hand over process: %w", err)
		}
	}
	if 8+len(js)+len(prog) > maxHandoff {
		return nil, fmt.Errorf("hand over process: %d bytes of process description, more than %d", len(js), maxHandoff)
	}
	fd, err := unix.MemfdCreate("minipod-handoff", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("hand over process: %w", err)
	}
	f := os.NewFile(uintptr(fd), "handoff")
	data := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	data = append(append(data, js...), prog...)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("hand over process: %w", err)
	}
	// Nothing the container runs may change it before Enter reads it.
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("hand over process: seal: %w", err)
	}
	return f, nil
}

// readHandoff decodes what WriteHandoff wrote.
func readHandoff(f *os.File) (*handoff, *seccomp.Program, error) {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, maxHandoff+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read handed-over process: %w", err)
	}
	if len(data) > maxHandoff {
		return nil, nil, errors.New("read handed-over process: too large")
	}
	if len(data) < 8 || binary.LittleEndian.Uint64(data) > uint64(len(data)-8) {
		return nil, nil, errors.New("read handed-over process: truncated")
	}
	n := binary.LittleEndian.Uint64(data)
	var h handoff
	if err := leanjson.Unmarshal(data[8:8+n], &h); err != nil {
		return nil, nil, fmt.Errorf("decode handed-over process: %w", err)
	}
	if h.Process == nil || len(h.Process.Args) == 0 {
		return nil, nil, errors.New("handed-over process has no command")
	}
	rest := data[8+n:]
	if h.Filter != (len(rest) > 0) {
		return nil, nil, fmt.Errorf("read handed-over process: filter announced %v, %d bytes of it", h.Filter, len(rest))
	}
	var filter *seccomp.Program
	if h.Filter {
		filter = &seccomp.Program{}
		if err := filter.UnmarshalBinary(rest); err != nil {
			return nil, nil, err
		}
	}
	return &h, filter, nil
}

// ExecEnter replaces the calling process with exe (minipod-init, an O_PATH
// descriptor) as EnterRole, userns at EnterUserNSFd and the handoff at
// enterHandoffFd; status (fd 3) stays open for Enter's report. It returns
// only on failure.
func ExecEnter(exe, userns, handoff *os.File) error {
	// Above what is placed, which may cover exe's own number.
	self, err := unix.FcntlInt(exe.Fd(), unix.F_DUPFD_CLOEXEC, 10)
	if err != nil {
		return fmt.Errorf("hand over to enter: %w", err)
	}
	if err := placeFds(map[int]*os.File{EnterUserNSFd: userns, enterHandoffFd: handoff}); err != nil {
		return fmt.Errorf("hand over to enter: %w", err)
	}
	// Init is in the container's mount namespace already: no fd 6, which
	// Enter checks. Whatever this process holds there (Go's own epoll, may
	// be) is left open until the exec.
	if _, err := unix.FcntlInt(enterMountFd, unix.F_SETFD, unix.FD_CLOEXEC); err != nil && !errors.Is(err, unix.EBADF) {
		return fmt.Errorf("hand over to enter: %w", err)
	}
	// The start is not over until enter execs the command or reports.
	if _, err := unix.FcntlInt(statusFd, unix.F_SETFD, 0); err != nil {
		return fmt.Errorf("hand over status: %w", err)
	}
	argv, err := syscall.SlicePtrFromStrings([]string{"minipod", EnterRole})
	if err != nil {
		return err
	}
	envv, err := syscall.SlicePtrFromStrings(RuntimeEnv())
	if err != nil {
		return err
	}
	empty := [1]byte{}
	_, _, errno := unix.Syscall6(unix.SYS_EXECVEAT, uintptr(self), uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])), unix.AT_EMPTY_PATH, 0)
	return fmt.Errorf("exec minipod-init to enter the user namespace: %w", errno)
}

// placeFds puts each file at its descriptor number, inherited across
// execve. Each is first copied above them all, so that no placement
// overwrites a file still to be placed (the handoff may sit at 4).
func placeFds(at map[int]*os.File) error {
	high := map[int]int{}
	for n, f := range at {
		c, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 10)
		if err != nil {
			return err
		}
		high[n] = c
	}
	for n, c := range high {
		if err := unix.Dup3(c, n, 0); err != nil {
			return err
		}
	}
	return nil
}

// Enter is EnterRole: the entry point made the process root of the pod's
// user namespace, with every capability there, or left it the host's root
// where it was handed no user namespace (user, mount and userns are what
// it left: see cmd/minipod-init/entry_amd64.s); it becomes the container's
// process and execs its command, or reports why not on fd 3 and exits 1.
// It never returns.
func Enter(user, mount, userns int64) {
	runtime.LockOSThread()
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	unix.CloseOnExec(statusFd)
	status := os.NewFile(statusFd, "status")
	err := enter(user, mount, userns)
	fmt.Fprintf(status, "%v", err)
	os.Exit(1)
}

func enter(user, mount, userns int64) error {
	handoff := os.NewFile(enterHandoffFd, "handoff")
	defer handoff.Close()
	// Fds 6 and 4 are ours only if the entry point ran and found them
	// open: else Go's runtime may have taken the numbers since (its
	// epoll, once a non-blocking descriptor made it start polling), and
	// closing one would end the process at sysmon's next poll.
	if user == entryJoined && mount != -int64(unix.EBADF) {
		_ = unix.Close(enterMountFd)
	}
	if user == entryJoined && userns != -int64(unix.EBADF) {
		_ = unix.Close(EnterUserNSFd)
	}
	switch {
	case user == entryNotRun:
		return errors.New("hostUsers: false needs minipod-init built with its entry point (make build), installed beside minipod; so does an exec whose seccomp profile the monitor cannot load on its own thread, or into a container that may trace it (CAP_SYS_PTRACE)")
	case user != entryJoined: // the entry point ends the process on failures
		return fmt.Errorf("join the pod's user namespace: entry point left %d", user)
	}
	h, filter, err := readHandoff(handoff)
	if err != nil {
		return err
	}
	switch {
	case h.JoinMount && mount != 0:
		return fmt.Errorf("join the container's mount namespace: %w", unix.Errno(-mount))
	case !h.JoinMount && mount != -int64(unix.EBADF):
		return errors.New("joined a mount namespace no one asked for")
	case h.JoinUser && userns != 0:
		return fmt.Errorf("join the pod's user namespace: %w", unix.Errno(-userns))
	case !h.JoinUser && userns != -int64(unix.EBADF):
		return errors.New("joined a user namespace no one asked for")
	}
	handoff.Close()
	if h.Spawn {
		// For this thread's children only; the exec keeps it.
		if err := unix.Setns(enterPidFd, unix.CLONE_NEWPID); err != nil {
			return fmt.Errorf("join the container's PID namespace: %w", err)
		}
		_ = unix.Close(enterPidFd)
		return confineAndExec(h.Process, filter, h.Late, spawnExec)
	}
	return confineAndExec(h.Process, filter, h.Late, unix.Exec)
}

// spawnExec execs minipod-init (enterExeFd) as SpawnRole, to fork the
// command path with args and env: the status pipe stays open for it.
func spawnExec(path string, args, env []string) error {
	argv, err := syscall.SlicePtrFromStrings(append([]string{"minipod", SpawnRole, path}, args...))
	if err != nil {
		return err
	}
	envv, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	if _, err := unix.FcntlInt(statusFd, unix.F_SETFD, 0); err != nil {
		return fmt.Errorf("hand over status: %w", err)
	}
	empty := [1]byte{}
	_, _, errno := unix.Syscall6(unix.SYS_EXECVEAT, enterExeFd, uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])), unix.AT_EMPTY_PATH, 0)
	unix.CloseOnExec(statusFd)
	return fmt.Errorf("exec minipod-init to fork the command: %w", errno)
}

// confineAndExec is the end of every container process: Confine, the
// filter last under no_new_privs, then the command, looked up as execvp
// would in the container (as its user, with its capabilities, in its
// root).
func confineAndExec(p *specs.Process, filter *seccomp.Program, late bool, exec func(path string, args, env []string) error) error {
	// The command gets stdio and nothing else. What init and enter open
	// is close-on-exec already; this covers what they inherited and no
	// one meant to hand on (a descriptor the monitor opened without the
	// flag, before its fork): the class of leak behind runc's
	// CVE-2024-21626. Before the filter, which need not allow it.
	if err := selfexe.SealInherited(); err != nil {
		return err
	}
	if err := Confine(p, filter, late); err != nil {
		return err
	}
	if filter != nil && late {
		// With no_new_privs the filter needs no privilege: load it last,
		// so a strict profile only has to allow execve and what follows.
		if err := filter.Load(); err != nil {
			return err
		}
	}
	path, err := LookPath(p.Args[0], p.Env)
	if err != nil {
		return err
	}
	if err := exec(path, p.Args, p.Env); err != nil {
		return fmt.Errorf("exec %s: %w", p.Args[0], err)
	}
	return nil
}
