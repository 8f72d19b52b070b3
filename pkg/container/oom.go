package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/minipod/minipod/pkg/ctrinit"
)

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
	if err := ctrinit.SetOOMScoreAdj(adj); err != nil {
		return fork()
	}
	defer func() {
		if err := ctrinit.SetOOMScoreAdj(&old); err != nil {
			fmt.Fprintf(os.Stderr, "exec: restore own oom_score_adj: %v\n", err)
		}
	}()
	return fork()
}
