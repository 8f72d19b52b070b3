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
	// With no Service on the node no rule sends anything to the pod:
	// neither the record's write nor a sync (~2 ms of every `down`).
	if followed, err := services.Followed(roots); err == nil && !followed {
		return
	}
	mon.save() // the sync reads the record: Terminating, or not ready
	done := make(chan error, 1)
	go func() { done <- services.Sync(roots) }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
			return // the loop's own follow tries again
		}
		mon.endpointKey = fmt.Sprint(false, mon.st.PodIP)
	case <-time.After(leaveLimit):
		// It goes on; the loop's own follow syncs again after it.
	}
}

// leaveLimit bounds how long a stop waits for the pod to leave its
// Services' endpoints.
const leaveLimit = time.Second

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
