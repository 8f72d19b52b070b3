package monitor

import (
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/state"
)

// followServices makes the node's Services follow this pod when it
// becomes ready or stops being ready (its probes, its containers, its
// deletion): the pod's record is saved first, Sync reads it. There is no
// daemon to watch pods; the monitor is the one who knows, at once.
func (mon *monitor) followServices() {
	ready := mon.st.PodIP != "" && !mon.st.Terminating && mon.st.Phase == state.PhaseRunning && podstatus.PodReady(mon.st)
	key := fmt.Sprint(ready, mon.st.PodIP)
	if key == mon.endpointKey {
		return
	}
	mon.endpointKey = key
	if err := services.Sync(roots); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
	trace("services followed")
}
