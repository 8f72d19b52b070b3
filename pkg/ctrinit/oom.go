package ctrinit

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// SetOOMScoreAdj sets the process's OOM score adjustment (the kubelet's,
// from the pod's QoS class), which its command inherits. Lowering it
// below what the process may go back to needs CAP_SYS_RESOURCE; a node
// whose root lacks it keeps the inherited value (the monitor's) rather
// than refusing to start the container.
func SetOOMScoreAdj(adj *int) error {
	if adj == nil {
		return nil
	}
	err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*adj)), 0)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("set oom_score_adj %d: %w", *adj, err)
	}
	return nil
}
