package container

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

var sink [][]byte

// garbage allocates n bytes that are garbage as soon as sink is reset.
func garbage(n int) {
	for i := 0; i < n/4096; i++ {
		sink = append(sink, make([]byte, 4096))
	}
	sink = nil
}

// ownForTest makes the test binary own its collector until the test ends.
func ownForTest(t *testing.T) {
	OwnCollector()
	t.Cleanup(func() {
		sink = nil
		gcHold.Lock()
		gcHold.owned = false
		gcHold.Unlock()
		armed.Store(false)
		owed.Store(false)
		idle.Lock()
		if idle.timer != nil {
			idle.timer.Stop()
		}
		idle.Unlock()
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
	})
}

// TestOwnCollector: once the process owns its collector the runtime starts
// no cycle by itself, a fork's hold runs none either, and Collect collects
// only after enough growth, or when forced, and never while a fork is out.
func TestOwnCollector(t *testing.T) {
	ownForTest(t)
	armed.Store(false)
	c := gcCycles()
	garbage(4 << 20)
	CollectSoon()
	time.Sleep(50 * time.Millisecond)
	if n := gcCycles(); n != c {
		t.Errorf("CollectSoon collected before the first forced Collect")
	}
	Collect(true)
	c = gcCycles()
	garbage(4 << 20) // past any trigger the runtime would have had (4 MiB at GOGC=100)
	if n := gcCycles(); n != c {
		t.Errorf("%d collections ran by themselves", n-c)
	}
	release := holdGC()
	if n := gcCycles(); n != c {
		t.Errorf("a fork's hold ran %d collections", n-c)
	}
	Collect(true)
	if n := gcCycles(); n != c {
		t.Errorf("Collect ran while a fork was out")
	}
	release()
	Collect(false)
	if n := gcCycles(); n == c {
		t.Errorf("Collect after 4 MiB of garbage did not collect")
	}
	c = gcCycles()
	Collect(false)
	if n := gcCycles(); n != c {
		t.Errorf("Collect with no growth collected")
	}
	Collect(true)
	if n := gcCycles(); n == c {
		t.Errorf("a forced Collect did not collect")
	}
}

// TestForcedCollectOwed: a forced Collect that meets a fork (the monitor's
// tidy-up while an exec is out) is made up for as soon as no fork is out,
// though the heap has not grown; once, not at every event after.
func TestForcedCollectOwed(t *testing.T) {
	ownForTest(t)
	armed.Store(false)
	Collect(false) // a monitor's start-up may have left growth behind
	settle := func(owing bool) {
		for deadline := time.Now().Add(5 * time.Second); (collecting.Load() || owed.Load() && !owing) && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	release := holdGC()
	c := gcCycles()
	Collect(true)
	CollectSoon() // the loop's, while the fork is still out
	settle(true)
	if n := gcCycles(); n != c {
		t.Fatalf("collected while a fork was out")
	}
	release() // the fork's end collects what it put off
	settle(false)
	if n := gcCycles(); n == c {
		t.Fatalf("the forced Collect a fork put off was never made up for")
	}
	c = gcCycles()
	CollectSoon()
	settle(false)
	if n := gcCycles(); n != c {
		t.Errorf("CollectSoon collected again with nothing owed and no growth")
	}
}

// TestHoldGCOwnedNearLimit: with the heap past half the backstop's goal a
// fork's hold waits out (runs) a collection, as in a process that does not
// own its collector.
func TestHoldGCOwnedNearLimit(t *testing.T) {
	ownForTest(t)
	for i := 0; i < (ownedLimit/2+8<<20)/4096; i++ {
		sink = append(sink, make([]byte, 4096)) // live, so it stays
	}
	c := gcCycles()
	release := holdGC()
	release()
	if gcCycles() == c {
		objects, _, goal := heapStats()
		t.Errorf("a fork's hold with the heap at %d MiB (goal %d MiB) ran no collection", objects>>20, goal>>20)
	}
}

// TestCollectWhenIdle: garbage short of collectStep is collected once
// CollectSoon has not been called for idleDelay, and not before; garbage
// short of idleStep is left alone.
func TestCollectWhenIdle(t *testing.T) {
	ownForTest(t)
	Collect(true)
	c := gcCycles()
	garbage(4 * idleStep)
	CollectSoon()
	time.Sleep(idleDelay / 2)
	CollectSoon() // still busy: the quiet period starts again
	time.Sleep(idleDelay * 3 / 4)
	if n := gcCycles(); n != c {
		t.Fatalf("collected %v after the last CollectSoon, before the quiet period ended", idleDelay*3/4)
	}
	waitCycle := func() bool {
		for deadline := time.Now().Add(idleDelay * 3); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if gcCycles() != c && !collecting.Load() {
				return true
			}
		}
		return false
	}
	if !waitCycle() {
		t.Fatalf("%d KiB of garbage not collected after a quiet period", 4*idleStep>>10)
	}
	c = gcCycles()
	CollectSoon() // nothing grown: no quiet-period collection is due
	time.Sleep(idleDelay * 3 / 2)
	if n := gcCycles(); n != c {
		t.Errorf("collected with no garbage to speak of")
	}
}
