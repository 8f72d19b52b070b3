package container

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

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
	{Name: "setgroups"}, {Name: "setresgid"}, {Name: "setresuid"},
	{Name: "capget"}, {Name: "capset"}, {Name: "chdir"}, {Name: "getcwd"},
	{Name: "newfstatat"}, {Name: "fstat"}, {Name: "statx"}, {Name: "stat"}, {Name: "lstat"},
	{Name: "openat"}, {Name: "openat2"}, {Name: "ioctl"}, {Name: "fcntl"},
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
