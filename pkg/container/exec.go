package container

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ExecOptions describes a command to run inside a running container.
type ExecOptions struct {
	PID int // the container's main process (host PID)
	// Start is that process's start time (state.Proc): a PID reused by
	// another process since is refused.
	Start uint64
	Spec  *specs.Spec // the container's config.json: how its processes run
	// Filter is Spec's seccomp filter, compiled, for a caller that keeps
	// it between execs; nil compiles it from Spec.
	Filter *seccomp.Program
	// Cgroup is the container's cgroup; the command is born in it.
	Cgroup cgroups.Dirs
	// Placement is Cgroup opened for placing, for a caller that keeps it
	// between execs (it is not closed here); nil opens Cgroup.
	Placement *cgroups.Placement
	Args      []string
	// Exe is minipod-init (the monitor's sealed copy), which a container
	// in a user namespace of its pod's runs each command through
	// (ctrinit.Enter).
	Exe string
	// Stdin, Stdout, Stderr become the command's fds 0, 1, 2. They must
	// not be the caller's terminal: the command gets a session of its own
	// but could still use a terminal it holds open (TIOCSTI, escape
	// sequences); callers hand it pipes.
	Stdin, Stdout, Stderr *os.File
	// TTY gives the command a terminal from the container's own devpts
	// (so ttyname() works inside); Stdin/Stdout/Stderr are then unused and
	// Exec returns the master side.
	TTY bool
	// Tracers: a process that can see the container's processes may hold
	// CAP_SYS_PTRACE in the host's user namespace (see selfConfined).
	Tracers bool
	// Spawn: those processes are the container's own (or its pod's), in a
	// PID namespace that is not ours; the command is spawned (forkSpawn).
	Spawn bool
}

// Exec starts a command in every namespace and the cgroup of the
// container, with the process description of its config.json (environment,
// user and groups, capabilities, no_new_privs, seccomp, working directory)
// applied exactly as init applies it. It returns the command's PID, which
// the caller reaps (ExitCode turns the status into a shell's exit code),
// and with TTY the terminal's master side.
//
// The caller must run from a sealed copy of a minipod program (the pod's monitor
// does): the forked child is a copy of the caller until it execs, and a
// command such as a `#!/proc/self/exe` script resolves /proc/self/exe in
// the child. Calls must not overlap within one process: on cgroup v2 the
// whole process visits the container's cgroup for the fork.
func Exec(o ExecOptions) (int, *os.File, error) {
	// The child forked into the container shares our memory until it
	// execs, and sits in the container's PID namespace: while this process
	// is dumpable, a container process could open /proc/CHILD/mem (our
	// memory, a host root process) or /proc/CHILD/exe (a minipod program).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return 0, nil, fmt.Errorf("exec: set non-dumpable: %w", err)
	}
	filter := o.Filter
	if filter == nil {
		var err error
		if filter, err = ctrinit.CompileFilter(o.Spec); err != nil {
			return 0, nil, fmt.Errorf("exec: %w", err)
		}
	}
	set, err := containerNS(o)
	if err != nil {
		return 0, nil, fmt.Errorf("exec: %w", err)
	}
	defer set.Close()
	enterAs, err := selfConfined(o, set, filter)
	if err != nil {
		return 0, nil, fmt.Errorf("exec: %w", err)
	}
	place := o.Placement
	if place == nil {
		if place, err = cgroups.Place(o.Cgroup); err != nil {
			return 0, nil, fmt.Errorf("exec: %w", err)
		}
		defer place.Close()
	}
	leave, err := place.JoinProcess()
	if err != nil {
		return 0, nil, fmt.Errorf("exec: %w", err)
	}
	var pid int
	var master *os.File
	var enter *enterChild
	err = withOOMScore(o.Spec.Process.OOMScoreAdj, func() error {
		var ferr error
		switch {
		case o.Spawn && set.UserNS() == nil:
			pid, master, enter, ferr = forkSpawn(o, set, place, filter)
		case enterAs:
			pid, master, enter, ferr = forkEnter(o, set, place, filter)
		default:
			pid, master, ferr = forkInside(o, set, place, filter)
		}
		return ferr
	})
	// Once the command exists it is the caller's to reap, whatever else
	// fails: moving back out of the cgroup only matters to us.
	_ = leave()
	if err == nil && enter != nil {
		// Outside the container's cgroup and OOM score: enter may take
		// its time, or be stopped by the container.
		if enter.spawned {
			pid, err = awaitSpawn(enter, o.Args[0], place)
		} else {
			err = awaitEnter(enter, o.Args[0])
		}
	}
	if err != nil {
		if master != nil {
			master.Close()
		}
		return 0, nil, fmt.Errorf("exec: %w", err)
	}
	return pid, master, nil
}

// containerNS opens the namespaces of the container's process, through
// its /proc directory once that is checked to be the same process.
func containerNS(o ExecOptions) (*ns.Set, error) {
	proc, err := os.Open("/proc/" + strconv.Itoa(o.PID))
	if err != nil {
		return nil, fmt.Errorf("container process %d: %w", o.PID, err)
	}
	defer proc.Close()
	start, err := state.StartTimeAt(proc, o.PID)
	if err != nil {
		return nil, err
	}
	if start != o.Start {
		return nil, fmt.Errorf("container process %d has exited", o.PID)
	}
	return ns.OfProcess(proc, o.Spec.Linux.Namespaces)
}

// forkInside forks the command on a thread that joined the container's
// namespaces and v1 cgroups and was confined like the container's init.
// The thread holds CAP_SYS_ADMIN until confine drops it, so the seccomp
// filter loads there whether or not no_new_privs is set; confine then
// makes the thread the container's user, and the child's execve runs under
// the filter with the thread's credentials.
func forkInside(o ExecOptions, set *ns.Set, place *cgroups.Placement, filter *seccomp.Program) (int, *os.File, error) {
	var pid int
	var master *os.File
	p := o.Spec.Process
	err := set.Do(func() error {
		leave, err := place.JoinThread()
		if err != nil {
			return err
		}
		defer leave() //nolint:errcheck // the thread is thrown away anyway
		if err := ctrinit.Confine(p, filter, false); err != nil {
			return err
		}
		files := []*os.File{o.Stdin, o.Stdout, o.Stderr}
		if o.TTY {
			m, slave, err := ctrinit.OpenPTY()
			if err != nil {
				return err
			}
			defer slave.Close()
			master, files = m, []*os.File{slave, slave, slave}
		}
		pid, err = forkCommand(o.Args, p, files, o.TTY)
		return err
	})
	if err != nil && master != nil {
		master.Close()
		master = nil
	}
	return pid, master, err
}

// forkCommand looks the command up in the container's PATH and root and
// forks it as the container's user with the container's groups, in a
// session of its own (with a TTY, one whose controlling terminal it is).
func forkCommand(args []string, p *specs.Process, files []*os.File, tty bool) (int, error) {
	path, err := ctrinit.LookPath(args[0], p.Env)
	if err != nil {
		return 0, err
	}
	attr := &syscall.ProcAttr{
		Env:   p.Env,
		Files: []uintptr{files[0].Fd(), files[1].Fd(), files[2].Fd()},
		Sys: &syscall.SysProcAttr{
			// No Credential: the thread is the container's user already
			// (confine), and a fork takes the forking thread's.
			Setsid: true, Setctty: tty, Ctty: 0,
		},
	}
	stop := watchFork()
	pid, err := syscall.ForkExec(path, args, attr)
	if stop() && err == nil {
		err = fmt.Errorf("the command did not start within %v", forkLimit)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", args[0], err)
	}
	return pid, nil
}

// ExitCode turns a wait status into a shell-style exit code.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
