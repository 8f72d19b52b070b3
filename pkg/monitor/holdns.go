package monitor

import (
	"fmt"
	"strconv"

	"github.com/minipod/minipod/pkg/infra"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/state"
)

// holdNamespaces takes the pod's shared namespaces over from pause (they
// exist since its fork; pause may still be setting them up): the
// monitor's fds keep them alive for the pod's life, so that pause can go
// (retirePause) and a pod costs one long-lived process instead of two
// (pause's runtime is most of a megabyte). With shareProcessNamespace
// pause stays, for what only it can do: be PID 1 of the pod's PID
// namespace, reap orphans there, and keep that namespace (whose init's
// death would kill every container in it). Returns where each namespace
// is to be joined from.
func (mon *monitor) holdNamespaces(p *infra.Process) (map[string]string, error) {
	opts := mon.infraOptions()
	kinds := opts.Kinds()
	if opts.SharePID {
		paths := map[string]string{}
		for _, k := range kinds {
			paths[k] = "/proc/" + strconv.Itoa(p.PID) + "/ns/" + k
		}
		return paths, nil
	}
	set, err := ns.Open(p.PID, kinds...)
	if err != nil {
		return nil, fmt.Errorf("hold the pod's namespaces: %w", err)
	}
	if err := set.Expect(mon.st.Namespaces); err != nil {
		set.Close()
		return nil, fmt.Errorf("hold the pod's namespaces: %w", err)
	}
	mon.nsHeld = set
	return set.HeldPaths(), nil
}

// retirePause ends pause once the monitor holds its namespaces and the
// network is attached (the attachment finds the network namespace by
// pause's PID): it exits when its lifeline closes. Its exit is expected,
// not a sandbox's death. With a shared PID namespace pause stays.
func (mon *monitor) retirePause() {
	if mon.nsHeld == nil || mon.st.Pause.PID == 0 {
		return
	}
	mon.retiredPause = mon.st.Pause.PID
	mon.st.Pause = state.Proc{}
	if mon.lifeline != nil {
		mon.lifeline.Close()
		mon.lifeline = nil
	}
}
