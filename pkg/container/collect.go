package container

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A long-lived process that forks containers (the monitor) can own its
// collector: with the runtime's own trigger off for good, no cycle can be
// starting when a fork begins, so the fork need not run a collection
// first to be sure (holdGC; that collection cost every container start
// 1.5-4 ms and every exec about 1 ms). The process then collects when it
// chooses (Collect), never while a fork is out. A memory limit stays as a
// backstop for what allocates between two Collects: near it the runtime
// does start cycles of its own, and a fork then waits them out, as in any
// other process.

// ownedLimit is the backstop, far above what a monitor uses (a few MiB).
const ownedLimit = 64 << 20

// collectStep is how much the heap may grow between two collections.
const collectStep = 1 << 20

// collected is the heap's size after the last Collect.
var collected atomic.Uint64

// OwnCollector turns the runtime's collector off for good in this process,
// leaving the backstop; Collect collects from now on. Call it before any
// fork.
func OwnCollector() {
	gcHold.Lock()
	defer gcHold.Unlock()
	debug.SetMemoryLimit(ownedLimit)
	debug.SetGCPercent(-1)
	gcHold.owned = true
	collected.Store(heapBytes())
}

// Collect collects, and gives the freed memory back (with the runtime's
// trigger off its scavenger keeps it), once the heap grew by collectStep
// since the last collection, or always with force; never while a fork is
// out (a later call does it). It blocks for the collection.
func Collect(force bool) {
	gcHold.Lock()
	defer gcHold.Unlock()
	if !gcHold.owned || gcHold.forks > 0 || !force && !grown() {
		return
	}
	debug.FreeOSMemory()
	collected.Store(heapBytes())
}

var collecting atomic.Bool

// CollectSoon runs Collect off the caller's goroutine (an event loop),
// one at a time, when the heap has grown enough for it to collect.
func CollectSoon() {
	if !grown() || !collecting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer collecting.Store(false)
		Collect(false)
	}()
}

func grown() bool { return heapBytes() >= collected.Load()+collectStep }

// heapBytes is the heap's objects, live and not yet swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return math.MaxUint64 // unknown: every fork stops the collector
	}
	return s[0].Value.Uint64()
}
