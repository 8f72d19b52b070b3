package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setOOMScoreAdj sets the process's OOM score adjustment (the kubelet's,
// from the pod's QoS class), which its command inherits. Lowering it
// below what the process may go back to needs CAP_SYS_RESOURCE; a node
// whose root lacks it keeps the inherited value, which the monitor
// notices and reports, rather than refusing to start the container.
func setOOMScoreAdj(adj *int) error { return setOOMScoreAdjOf("self", adj) }

// setOOMScoreAdjOf sets it for process pid ("self", or a host PID), as
// setOOMScoreAdj does.
func setOOMScoreAdjOf(pid string, adj *int) error {
	if adj == nil {
		return nil
	}
	err := os.WriteFile("/proc/"+pid+"/oom_score_adj", []byte(strconv.Itoa(*adj)), 0)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("set oom_score_adj %d: %w", *adj, err)
	}
	return nil
}
