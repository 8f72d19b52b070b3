package cgroups

import "sync"

// visits keeps Kill away from cgroups this process is visiting. To fork a
// process into a container's cgroup, a thread of ours (v1, JoinThread) or
// this whole process (v2, JoinProcess) steps into it for the length of the
// fork; killing or freezing that cgroup meanwhile would kill or freeze us.
// Visits take the read side and end with their leave function; Kill takes
// the write side, so it waits for visits in progress (a fork is bounded:
// the caller kills a child that does not exec in time) and none starts
// while it runs.
var visits sync.RWMutex

// visit marks the start of a visit and returns the function that ends it,
// running leave (the move back) first.
func visit(leave func() error) func() error {
	var once sync.Once
	return func() error {
		err := leave()
		once.Do(visits.RUnlock)
		return err
	}
}
