package container

import (
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
)

// threadCalls are the system calls the monitor's thread makes between
// loading a container's seccomp filter and ending (forkInside): the rest
// of the confinement (user, dumpable, capabilities, working directory),
// the command's lookup and terminal, the fork, leaving the cgroups, and
// what Go's runtime does on any thread (locks, signals, stacks, exit).
// The filter is the container's, and a profile may kill on any call: one
// of these killed would end the monitor (SECCOMP_RET_KILL_PROCESS), or
// leave a thread of it dead or a runtime call failing. The arguments are
// those of the calls where they are known, zero elsewhere; a call whose
// verdict hangs on other arguments is out of this check's sight.
var threadCalls = []seccomp.Call{
	{Name: "prctl", Args: [6]uint64{unix.PR_SET_KEEPCAPS, 1}},
	{Name: "prctl", Args: [6]uint64{unix.PR_SET_DUMPABLE, 0}},
	{Name: "prctl", Args: [6]uint64{unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL}},
	{Name: "prctl", Args: [6]uint64{unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE}},
	{Name: "prctl", Args: [6]uint64{unix.PR_CAPBSET_READ}},
	{Name: "prctl", Args: [6]uint64{unix.PR_SET_VMA, unix.PR_SET_VMA_ANON_NAME}},
	{Name: "setgroups"}, {Name: "setresgid"}, {Name: "setresuid"},
	{Name: "capget"}, {Name: "capset"}, {Name: "chdir"}, {Name: "getcwd"},
	{Name: "newfstatat"}, {Name: "fstat"}, {Name: "statx"}, {Name: "stat"}, {Name: "lstat"},
	{Name: "openat"}, {Name: "openat2"}, {Name: "ioctl"}, {Name: "fcntl"}, {Name: "fstatfs"},
	{Name: "pipe2"}, {Name: "clone", Args: [6]uint64{unix.CLONE_VM | unix.CLONE_VFORK | uint64(unix.SIGCHLD)}},
	{Name: "read"}, {Name: "write"}, {Name: "close"}, {Name: "wait4"},
	{Name: "futex"}, {Name: "rt_sigprocmask"}, {Name: "rt_sigreturn"}, {Name: "sigaltstack"},
	{Name: "mmap"}, {Name: "munmap"}, {Name: "madvise"}, {Name: "nanosleep"}, {Name: "sched_yield"},
	{Name: "gettid"}, {Name: "getpid"}, {Name: "tgkill"}, {Name: "clock_gettime"}, {Name: "exit"},
}

// threadMayLoad says whether the monitor's thread may load filter and
// finish an exec under it (threadCalls) as user: where it may not, the
// command is confined in a process of its own (forkEnter), as a runtime
// confines it in its init process. A filter the check cannot run is not
// loaded on the thread either.
func threadMayLoad(filter *seccomp.Program, user specs.User) bool {
	calls := make([]seccomp.Call, 0, len(threadCalls))
	for _, c := range threadCalls {
		switch c.Name {
		case "setresuid":
			c.Args = [6]uint64{uint64(user.UID), uint64(user.UID), uint64(user.UID)}
		case "setresgid":
			c.Args = [6]uint64{uint64(user.GID), uint64(user.GID), uint64(user.GID)}
		}
		calls = append(calls, c)
	}
	name, err := filter.Denied(calls)
	return err == nil && name == ""
}

// selfConfined says whether the command is to be confined in a process of
// its own (forkEnter): always in a pod's user namespace, and where the
// monitor's thread may not load the filter. Such a process starts as the
// host's root with every capability, in the container's PID namespace,
// until its entry point and Confine are done (~1 ms). Outside a user
// namespace of the pod, a container that may trace (CAP_SYS_PTRACE) and
// sees it could stop it there and take it over: such a command is spawned
// (forkSpawn) where it can be, and refused where it cannot (the host's PID
// namespace).
func selfConfined(o ExecOptions, set *ns.Set, filter *seccomp.Program) (bool, error) {
	if set.UserNS() != nil {
		return true, nil
	}
	if filter == nil || threadMayLoad(filter, o.Spec.Process.User) {
		return false, nil
	}
	if o.Tracers && !o.Spawn {
		return false, errors.New("the container's seccomp profile cannot be loaded on a thread of the monitor, and a container that sees this one's processes may trace them (CAP_SYS_PTRACE), so a process of its own for the command would not be safe: exec is refused")
	}
	return true, nil
}

// spawnCalls are the system calls made under the container's filter
// from Enter's exec of the spawn role to the command's exec
// (cmd/minipod-init/spawn_amd64.s), the role's own end included.
var spawnCalls = []seccomp.Call{
	{Name: "fcntl", Args: [6]uint64{3, unix.F_SETFD, 0}},
	{Name: "execveat", Args: [6]uint64{4: unix.AT_EMPTY_PATH}},
	{Name: "rt_sigprocmask"}, {Name: "prctl", Args: [6]uint64{unix.PR_SET_DUMPABLE, 0}},
	{Name: "socketpair", Args: [6]uint64{unix.AF_UNIX, unix.SOCK_STREAM | unix.SOCK_CLOEXEC}},
	{Name: "clone", Args: [6]uint64{unix.CLONE_PARENT | uint64(unix.SIGCHLD)}},
	{Name: "write"}, {Name: "exit_group"}, {Name: "close"}, {Name: "read"}, {Name: "setsid"},
	{Name: "ioctl", Args: [6]uint64{0, unix.TIOCSCTTY}},
	{Name: "fcntl", Args: [6]uint64{3, unix.F_SETFD, unix.FD_CLOEXEC}},
	{Name: "execve"},
}

// SpawnDenied names a call of spawnCalls that filter does not let
// through, "" if none; a filter the check cannot run denies "a call".
func SpawnDenied(filter *seccomp.Program) string {
	if filter == nil {
		return ""
	}
	name, err := filter.Denied(spawnCalls)
	if err != nil {
		return "a call"
	}
	return name
}
