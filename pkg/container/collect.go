package container

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// A long-lived process that forks containers (the monitor) can own its
// collector: with the runtime's own trigger off, no cycle can be starting
// when a fork begins, so the fork need not run a collection first to be
// sure (holdGC; that collection cost every container start 1.5-4 ms and
// every exec about 1 ms). The process collects when it chooses (Collect,
// CollectSoon), never while a fork is out. A memory limit stays as a
// backstop for garbage made where nothing calls CollectSoon: near it the
// runtime does start cycles of its own, and a fork waits those out.

// ownedLimit is the backstop, far above what a monitor uses (a few MiB).
const ownedLimit = 64 << 20

// collectStep is how much the heap may grow past the live heap of the last
// cycle before CollectSoon collects.
const collectStep = 1 << 20

// armed: CollectSoon collects only after the first forced Collect (a
// monitor's pod is up then), so that no collection delays start-up's
// forks.
var armed, collecting atomic.Bool

// owed: a forced Collect found a fork out and collected nothing; the next
// CollectSoon collects in its place, grown or not. Without it a monitor
// whose tidy-up met an exec or a restart stayed unarmed, and never
// collected again below the backstop (~24 KB more per exec).
var owed atomic.Bool

// OwnCollector turns the runtime's collector off in this process but for
// the backstop; Collect and CollectSoon collect from now on. Call it
// before any fork.
func OwnCollector() {
	gcHold.Lock()
	defer gcHold.Unlock()
	debug.SetMemoryLimit(ownedLimit)
	debug.SetGCPercent(-1)
	// Go's runtime would otherwise stop the world on its own whenever the
	// CPU quota or affinity changed (updatemaxprocs); a value set here is
	// left alone, and setting the current one stops nothing.
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	gcHold.owned = true
}

// Collect collects and gives the freed memory back (with the runtime's
// trigger off its scavenger keeps it), when the heap grew by collectStep
// past the live heap, or always with force; never while a fork is out (a
// forced one is then owed to the next CollectSoon). It blocks for the
// collection.
func Collect(force bool) { collect(collectStep, force) }

func collect(step uint64, force bool) {
	gcHold.Lock()
	defer gcHold.Unlock()
	if !gcHold.owned {
		return
	}
	if gcHold.forks > 0 {
		if force {
			owed.Store(true)
			armed.Store(true)
		}
		return
	}
	if !force && !owed.Load() && heapGarbage() < step {
		return
	}
	debug.FreeOSMemory()
	owed.Store(false)
	armed.Store(true)
}

// CollectSoon runs Collect off the caller's goroutine, one at a time, when
// the heap has grown enough: callers are where garbage is made (the
// monitor's loop after each event, the copiers of container output).
// Garbage short of that is collected once the caller has been quiet for
// idleDelay (collectWhenIdle).
func CollectSoon() {
	if !armed.Load() {
		return
	}
	switch g := heapGarbage(); {
	case owed.Load() || g >= collectStep:
		if collecting.CompareAndSwap(false, true) {
			go runCollect(collectStep)
		}
	case g >= idleStep:
		collectWhenIdle()
	}
}

// runCollect is CollectSoon's collection; the caller set collecting.
func runCollect(step uint64) {
	collect(step, false)
	collecting.Store(false)
	// A fork that ended while this one was still marked collecting
	// found it so (releaseGC): what it put off is collected here.
	gcHold.Lock()
	again := owed.Load() && gcHold.forks == 0
	gcHold.Unlock()
	if again {
		CollectSoon()
	}
}

// idleStep and idleDelay: garbage of at least idleStep is collected once
// no CollectSoon has come for idleDelay. Without it a monitor kept up to
// collectStep of garbage for as long as it stayed quiet, which is most of
// its life: a pod exec'd into 50 times sat at ~3.3 MB of anonymous memory
// where one just started sits at ~2.0 MB. A pod that is never quiet that
// long (a container writing every second, a probe every second) is
// collected by collectStep alone.
const (
	idleStep  = 64 << 10
	idleDelay = time.Second
)

var idle struct {
	sync.Mutex
	timer *time.Timer
}

// collectWhenIdle (re)starts the quiet period after which the garbage is
// collected.
func collectWhenIdle() {
	idle.Lock()
	defer idle.Unlock()
	if idle.timer != nil {
		idle.timer.Reset(idleDelay)
		return
	}
	idle.timer = time.AfterFunc(idleDelay, func() {
		if collecting.CompareAndSwap(false, true) {
			runCollect(idleStep)
		}
	})
}

// heapGarbage is how far the heap's objects (live and not yet swept) are past
// the live heap of the last cycle.
func heapGarbage() uint64 {
	objects, live, _ := heapStats()
	if objects < live {
		return 0
	}
	return objects - live
}

// heapStats reads the heap's objects (live and not yet swept), the live
// heap of the last cycle, and the goal the runtime's trigger aims at; one
// it cannot read is the largest value (objects) or zero (the others), so
// that forks are careful and CollectSoon collects.
func heapStats() (objects, live, goal uint64) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/heap/goal:bytes"},
	}
	metrics.Read(s)
	v := func(i int, unknown uint64) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return unknown
		}
		return s[i].Value.Uint64()
	}
	return v(0, math.MaxUint64), v(1, 0), v(2, 0)
}
