package monitor

import (
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/infra"
	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/seccomp"
)

// pauseFilter tells whether pause gets a seccomp program: a pause that
// stays (shared PID namespace) does, since a container given SYS_PTRACE
// could otherwise make pause, PID 1 of the pod, call what the container's
// own filter denies. Not where the node runs containers unconfined by
// default (seccomp-default), whose kernel may have no seccomp filters to
// give.
func (mon *monitor) pauseFilter(opts infra.Options) (bool, error) {
	if !opts.SharePID {
		return false, nil
	}
	kind, err := seccomp.NodeDefault()
	return err == nil && kind == seccomp.RuntimeDefault, err
}

// sendPauseFilter sends pause, on its lifeline, its seccomp program: the
// default profile for a process with no capability, as pause has none
// once set up. A program that failed to build is sent empty, which fails
// pause's start.
func (mon *monitor) sendPauseFilter(lifeline *os.File) {
	prog, err := mon.filters.runtimeDefault(nil)
	var data []byte
	if err == nil {
		data, err = prog.MarshalBinary()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "monitor: pause's seccomp program: %v\n", err)
		data = nil
	}
	if err := pause.SendFilter(lifeline, data); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
}
