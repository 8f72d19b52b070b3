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
// is over: threads made after that are made by named ones. A thread that
// an unnamed one makes while a pass runs is missing from that pass's
// listing, so passes repeat until one finds no thread it had not seen.
// Best effort: a thread that ended meanwhile is skipped.
func NameThreads(tasks *os.File) {
	if tasks == nil {
		return
	}
	defer tasks.Close()
	if processName == "" {
		return
	}
	seen := map[string]bool{}
	for pass := 0; pass < maxNamePasses; pass++ {
		if !nameNewThreads(tasks, seen) {
			return
		}
	}
}

// maxNamePasses bounds NameThreads against a process that keeps making
// threads; each pass after the first only meets threads made meanwhile.
const maxNamePasses = 8

// nameNewThreads names the threads in tasks that are not in seen, adds
// them to it, and says whether there were any.
func nameNewThreads(tasks *os.File, seen map[string]bool) bool {
	// Seeking a directory back to 0 makes the next read list it afresh.
	if _, err := tasks.Seek(0, 0); err != nil {
		return false
	}
	ents, err := tasks.ReadDir(-1)
	if err != nil {
		return false
	}
	found := false
	for _, e := range ents {
		if seen[e.Name()] {
			continue
		}
		seen[e.Name()] = true
		found = true
		fd, err := unix.Openat(int(tasks.Fd()), e.Name()+"/comm", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		_, _ = unix.Write(fd, []byte(processName))
		unix.Close(fd)
	}
	return found
}
