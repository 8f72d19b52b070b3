package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// setOOMScoreAdj sets the process's OOM score adjustment (the kubelet's,
// from the pod's QoS class), which its command inherits. Lowering it
// below what the process may go back to needs CAP_SYS_RESOURCE; a node
// whose root lacks it keeps the inherited value (the monitor's) rather
// than refusing to start the container.
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

// scoreMu serialises withOOMScore: the score is the whole process's.
var scoreMu sync.Mutex

// withOOMScore runs fork with the calling process's OOM score set to adj
// and then restores it. A forked child inherits the score and Go's fork
// runs nothing of ours before the exec, so this is how an exec'd command
// has its container's score from its first instruction, as runc's exec
// gives it (a score written after the exec would miss whatever the
// command did or forked first). Lowering the score is best effort, as
// for a container's init; the caller's own score is back once the fork
// has returned, within a millisecond.
func withOOMScore(adj *int, fork func() error) error {
	if adj == nil {
		return fork()
	}
	scoreMu.Lock()
	defer scoreMu.Unlock()
	b, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return fork()
	}
	old, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || old == *adj {
		return fork()
	}
	if err := setOOMScoreAdj(adj); err != nil {
		return fork()
	}
	defer func() {
		if err := setOOMScoreAdj(&old); err != nil {
			fmt.Fprintf(os.Stderr, "exec: restore own oom_score_adj: %v\n", err)
		}
	}()
	return fork()
}
