package selfexe

import (
	"os"
	"strings"
	"time"

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
// an unnamed one was making while a pass named its maker took the old
// name, and is listed only once made: passes repeat, a moment apart, until
// one finds every thread named, and a last one a longer moment later
// confirms it (a maker preempted mid-make, as on a loaded machine, lists
// its thread late). Best effort: a thread that ended meanwhile is skipped.
func NameThreads(tasks *os.File) {
	if tasks == nil {
		return
	}
	defer tasks.Close()
	if processName == "" {
		return
	}
	for pass := 0; pass < maxNamePasses; pass++ {
		if !nameUnnamed(tasks) {
			settle(confirmSettle)
			if !nameUnnamed(tasks) {
				return
			}
		}
		settle(makeSettle)
	}
}

// settle sleeps d on the thread itself: the runtime's own timers would
// round a sleep this short up to a millisecond when nothing else runs.
func settle(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	_ = unix.Nanosleep(&ts, nil)
}

// maxNamePasses bounds NameThreads against a process that keeps making
// threads; makeSettle is the moment between passes, for the makes under
// way to end (a make copies its maker's name first thing, and lists the
// new thread microseconds later); confirmSettle is the longer one before
// the pass that confirms a clean one.
const (
	maxNamePasses = 8
	makeSettle    = 200 * time.Microsecond
	confirmSettle = 2 * time.Millisecond
)

// nameUnnamed names the threads in tasks that do not carry the process's
// name, and says whether there were any. It reads each name rather than
// remembering the threads it named: a thread ID may be reused.
func nameUnnamed(tasks *os.File) bool {
	// Seeking a directory back to 0 makes the next read list it afresh.
	if _, err := tasks.Seek(0, 0); err != nil {
		return false
	}
	ents, err := tasks.ReadDir(-1)
	if err != nil {
		return false
	}
	want := keptName()
	found := false
	for _, e := range ents {
		if threadName(tasks, e.Name()) != want {
			found = true
			nameThread(tasks, e.Name())
		}
	}
	return found
}

// keptName is the process's name as the kernel keeps it: its first 15
// bytes. Comparing with the whole name would rename a thread that carries
// a long one on every pass.
func keptName() string { return processName[:min(len(processName), 15)] }

// threadName reads the name of thread tid; "" if it cannot.
func threadName(tasks *os.File, tid string) string {
	fd, err := unix.Openat(int(tasks.Fd()), tid+"/comm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	var buf [32]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(buf[:n]), "\n")
}

// nameThread gives thread tid the process's name.
func nameThread(tasks *os.File, tid string) {
	fd, err := unix.Openat(int(tasks.Fd()), tid+"/comm", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	_, _ = unix.Write(fd, []byte(processName))
	unix.Close(fd)
}
