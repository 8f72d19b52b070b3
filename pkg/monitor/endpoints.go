package monitor

import (
	"fmt"
	"os"
	"time"

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
	}
}
