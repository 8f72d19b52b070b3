package container

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// forkLimit bounds the window between fork and execve. The child is in the
// pod's (or container's) PID namespace from its first instruction, so a
// container can SIGSTOP it there; Go's vfork-style fork then holds the
// forking thread, with whatever it holds, until the child execs or dies.
const forkLimit = 10 * time.Second

// watchFork arms a watchdog for a fork about to be made by the calling
// thread: if stop is not called within forkLimit, every child of the
// thread is killed (SIGKILL wakes a stopped one), which ends the fork.
// The thread must be a fresh one (ns.OnThread): all its children are this
// fork's. stop reports whether the watchdog had to kill.
func watchFork() (stop func() bool) {
	tid := unix.Gettid()
	t := time.AfterFunc(forkLimit, func() { killChildren(tid) })
	return func() bool { return !t.Stop() }
}

func killChildren(tid int) {
	data, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/children")
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}
