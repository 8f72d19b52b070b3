package container

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
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
// fork's. stop, to be called once the fork has returned, reports whether
// the watchdog had to kill.
//
// The watchdog is a goroutine, so it only runs while the world does; the
// garbage collector is held off until stop (see holdGC).
func watchFork() (stop func() bool) {
	release := holdGC()
	tid := unix.Gettid()
	t := time.AfterFunc(forkLimit, func() { killChildren(tid) })
	return func() bool {
		killed := !t.Stop()
		release()
		return killed
	}
}

// gcHold counts the watched forks under way and keeps what the collector
// was set to before the first of them; owned is OwnCollector's.
var gcHold struct {
	sync.Mutex
	forks   int
	percent int
	limit   int64
	owned   bool
}

// holdGC turns the garbage collector off until release. Go forks with
// CLONE_VFORK from a raw syscall: the forking thread keeps its P, and
// cannot be preempted, until the child execs or dies. A stop-the-world
// (every GC cycle has two) waits for that P; if a container keeps the
// child stopped, it waits forever and no goroutine runs again, the
// watchdog's included, so the monitor is wedged (TestAttackStopTheMonitor).
// With no collection started while a fork is out, nothing the monitor does
// stops the world (it takes no profiles, never sets GOMAXPROCS), and the
// watchdog can end the fork.
func holdGC() (release func()) {
	gcHold.Lock()
	defer gcHold.Unlock()
	if gcHold.forks == 0 {
		// Not on this thread: it is the container's (cgroup, seccomp).
		done := make(chan struct{})
		go func() { defer close(done); stopCollector() }()
		<-done
	}
	gcHold.forks++
	return releaseGC
}

// stopCollector leaves no trigger that could start a cycle, and no cycle
// under way or starting.
func stopCollector() {
	_, _, goal := heapStats()
	gcHold.limit = debug.SetMemoryLimit(math.MaxInt64)
	gcHold.percent = debug.SetGCPercent(-1)
	// SetGCPercent waits for a cycle under way, but not for one whose
	// start passed its trigger check just before: GC waits for that one
	// too, and after it none can start. A process that owns its collector
	// had no trigger but the backstop's, which is at least 0.7 of the goal
	// read before lifting it (the pacer's lowest trigger): a heap under
	// half that goal has passed no trigger (it does not shrink before a
	// cycle's marking has ended), so no cycle can be starting.
	if objects, _, _ := heapStats(); !gcHold.owned || objects >= goal/2 {
		runtime.GC()
	}
}

// releaseGC ends one holdGC; the last one restores the collector.
func releaseGC() {
	gcHold.Lock()
	defer gcHold.Unlock()
	gcHold.forks--
	if gcHold.forks == 0 {
		debug.SetGCPercent(gcHold.percent)
		debug.SetMemoryLimit(gcHold.limit)
		if owed.Load() {
			CollectSoon() // what this fork put off, now that none is out
		}
	}
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
