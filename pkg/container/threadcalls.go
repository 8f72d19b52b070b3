package container

import (
	"fmt"

	"github.com/minipod/minipod/pkg/seccomp"
	"golang.org/x/sys/unix"
)

// threadCalls are the system calls the monitor's thread makes between
// loading a container's seccomp filter and ending (forkInside): the rest
// of the confinement (user, dumpable, capabilities, working directory),
// the command's lookup and terminal, the fork, leaving the cgroups, and
// what Go's runtime does on any thread (locks, signals, stacks, exit).
// The filter is the container's, and a profile may kill on any call: one
// of these killed would end the monitor (SECCOMP_RET_KILL_PROCESS), or
// leave a thread of it dead or a runtime call failing. The arguments are
// those of the calls where they are known, zero elsewhere.
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

// checkThreadCalls refuses a filter that would not let the monitor's
// thread finish an exec (threadCalls), naming the call. The command could
// still run where its filter is loaded in a process of its own (a runtime
// loads it in its init process), but not from a thread of the monitor.
func checkThreadCalls(filter *seccomp.Program, uid, gid uint32) error {
	withIDs := make([]seccomp.Call, 0, len(threadCalls))
	for _, c := range threadCalls {
		switch c.Name {
		case "setresuid":
			c.Args = [6]uint64{uint64(uid), uint64(uid), uint64(uid)}
		case "setresgid":
			c.Args = [6]uint64{uint64(gid), uint64(gid), uint64(gid)}
		}
		withIDs = append(withIDs, c)
	}
	name, err := filter.Denied(withIDs)
	if err != nil {
		return fmt.Errorf("check the container's seccomp filter: %w", err)
	}
	if name != "" {
		return fmt.Errorf("the container's seccomp profile does not allow %s, which minipod's monitor makes to start a command in it; exec into it is refused, as the profile would end the monitor", name)
	}
	return nil
}
