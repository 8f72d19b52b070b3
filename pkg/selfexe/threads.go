package selfexe

import (
	"os"

	"golang.org/x/sys/unix"
)

// Tasks opens this process's task directory, for NameThreads in a process
// that will lose /proc (pause leaves it when it pivots into its empty
// root); nil if it cannot.
func Tasks() *os.File {
	f, err := os.Open("/proc/self/task")
	if err != nil {
		return nil
	}
	return f
}

// NameThreads gives every thread listed in tasks (from Tasks) the name
// SetName gave the process, and closes tasks. A thread takes its name from
// the thread that made it, and the Go runtime makes some before main can
// name any: ps -L, top -H and /proc/PID/task/*/comm would call them "100",
// the seal's descriptor. A long-lived process calls it once its start-up
// is over: threads made after that are made by named ones. Best effort: a
// thread that ended meanwhile is skipped.
func NameThreads(tasks *os.File) {
	if tasks == nil {
		return
	}
	defer tasks.Close()
	if processName == "" {
		return
	}
	ents, err := tasks.ReadDir(-1)
	if err != nil {
		return
	}
	for _, e := range ents {
		fd, err := unix.Openat(int(tasks.Fd()), e.Name()+"/comm", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		_, _ = unix.Write(fd, []byte(processName))
		unix.Close(fd)
	}
}
