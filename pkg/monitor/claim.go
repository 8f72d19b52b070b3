package monitor

import "time"

// Every fork of the monitor (a container's init, an exec'd command) runs
// off the event loop, so the reaper can report a child's exit before the
// loop has heard of the child. Such exits wait here until the fork is
// registered (claim); exits nobody claims are orphans re-parented to the
// monitor, and are dropped after a while.

// unclaimedKeep is how long an exit waits to be claimed.
const unclaimedKeep = 30 * time.Second

// park keeps an exit of a process the loop does not know (yet).
func (mon *monitor) park(e exitEvent) {
	if len(mon.unclaimed) >= 64 {
		for pid, old := range mon.unclaimed {
			if e.when.Sub(old.when) > unclaimedKeep {
				delete(mon.unclaimed, pid)
			}
		}
	}
	mon.unclaimed[e.pid] = e
}

// claim returns the parked exit of pid, if it happened after forked (an
// older one is of an earlier process that had the same PID).
func (mon *monitor) claim(pid int, forked time.Time) (exitEvent, bool) {
	e, ok := mon.unclaimed[pid]
	if !ok {
		return exitEvent{}, false
	}
	delete(mon.unclaimed, pid)
	return e, !e.when.Before(forked)
}
