package monitor

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/state"
)

// followServices makes the node's Services follow this pod when it
// becomes ready or stops being ready (its probes, its containers, its
// deletion): the pod's record is saved first, Sync reads it. There is no
// daemon to watch pods; the monitor is the one who knows, at once.
//
// The sync runs off the loop (syncServices): it takes the node lock,
// which another command may hold for a while (a Service of thousands of
// ports), and the loop must go on meanwhile (exits, stops, probes).
func (mon *monitor) followServices() {
	ready := mon.st.PodIP != "" && !mon.st.Terminating && mon.st.Phase == state.PhaseRunning && podstatus.PodReady(mon.st)
	key := fmt.Sprint(ready, mon.st.PodIP)
	if key == mon.endpointKey {
		return
	}
	mon.endpointKey = key
	mon.wantSync()
}

// leaveEndpoints takes a pod that its Services' rules still send traffic to
// out of them before its containers are told to stop: otherwise clients
// are sent to containers shutting down, then to an address whose veth is
// gone (a connection timeout), for as long as the asynchronous sync takes.
// The kubelet leaves this window open (hence the advice of a preStop
// sleep); on one node it can be closed, at the cost of waiting for one
// sync, bounded as the node lock may be held for long (see above).
func (mon *monitor) leaveEndpoints() {
	if !strings.HasPrefix(mon.endpointKey, "true") {
		return
	}
	mon.syncLeave(leaveLimit)
}

// leaveBeforeDetach makes sure, before the pod's network comes apart (its
// namespaces let go, stopPause), that
// no Service rule still sends traffic to it. The leave at the stop waits
// at most leaveLimit, and a sync the loop asked for may still wait for
// the node lock: a connection sent to the address once its veth is gone
// times out, where one to the stopped pod is refused at once. Nothing is
// left to do meanwhile, so the bound here is longer. A grace period of 0
// waits here too: it shortens the containers' stop, not the Services'.
func (mon *monitor) leaveBeforeDetach() {
	// A host-network pod's address is the node's own: no veth goes.
	if mon.st == nil || mon.st.PodIP == "" || mon.st.HostNetwork {
		return
	}
	mon.syncLeave(detachLeaveLimit)
}

// syncLeave saves the pod's record (Terminating, or not ready) and syncs
// the Services with it, waiting at most limit; with no Service on the
// node no rule sends anything to the pod: neither the write nor a sync
// (~2 ms of every `down`).
func (mon *monitor) syncLeave(limit time.Duration) {
	if followed, err := services.Followed(roots); err == nil && !followed {
		return
	}
	mon.save() // the sync reads the record
	done := make(chan error, 1)
	go func() { done <- services.Sync(roots) }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
			return // the loop's own follow tries again
		}
		mon.endpointKey = fmt.Sprint(false, mon.st.PodIP)
	case <-time.After(limit):
		// It goes on; the loop's own follow syncs again after it.
	}
}

// leaveLimit bounds how long a stop waits for the pod to leave its
// Services' endpoints; detachLeaveLimit how long the end of the pod waits
// for it before the network goes (well inside the 15 s that `down` gives
// a monitor past the grace period).
const (
	leaveLimit       = time.Second
	detachLeaveLimit = 5 * time.Second
)

// wantSync asks syncServices for a sync; asks made while one is pending
// are one.
func (mon *monitor) wantSync() {
	select {
	case mon.syncWanted <- struct{}{}:
	default:
	}
}

// syncServices runs the syncs the loop asks for, one at a time; a failed
// one is tried again a second later.
func (mon *monitor) syncServices() {
	for range mon.syncWanted {
		if err := services.Sync(roots); err != nil {
			fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
			time.AfterFunc(time.Second, mon.wantSync)
			continue
		}
		trace("services followed")
		container.CollectSoon()
	}
}
