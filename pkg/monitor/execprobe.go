package monitor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/probe"
	"golang.org/x/sys/unix"
)

// maxProbeOutput is how much of an exec probe's output the kubelet keeps.
const maxProbeOutput = 10 << 10

// execProbe runs an exec probe's command in the container, as an exec'd
// command (the container's user, groups, capabilities, seccomp, cgroup):
// exit 0 is success; its output is the message; past timeout it is killed.
func (mon *monitor) execProbe(ctx context.Context, ctr string, cmd []string, timeout time.Duration) probe.Result {
	return mon.execCheck(ctx, ctr, false, cmd, timeout)
}

// execCheck is execProbe; stopping lets it run while the pod is being
// deleted (a preStop hook).
func (mon *monitor) execCheck(ctx context.Context, ctr string, stopping bool, cmd []string, timeout time.Duration) probe.Result {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return probe.Result{Message: err.Error()}
	}
	defer devnull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return probe.Result{Message: err.Error()}
	}
	defer r.Close()
	pid, _, done, err := mon.execIn(ctr, stopping, cmd, false, []*os.File{devnull, w, w})
	w.Close()
	if err != nil {
		return probe.Result{Message: err.Error()}
	}
	// A handle on the command, not its number: it is killed on a timeout
	// and the number may be reused once it is reaped.
	pidfd, perr := unix.PidfdOpen(pid, 0)
	if perr == nil {
		defer unix.Close(pidfd)
	}
	out := make(chan string, 1)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, io.LimitReader(r, maxProbeOutput))
		_, _ = io.Copy(io.Discard, r) // the rest, so the command never blocks on a full pipe
		out <- b.String()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case code := <-done:
		msg := output(out, r)
		if code != 0 {
			return probe.Result{Message: strings.TrimRight(msg, "\n")}
		}
		return probe.Result{OK: true, Message: msg}
	case <-timer.C:
	case <-ctx.Done():
	}
	if perr == nil {
		_ = unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
	}
	<-done
	return probe.Result{Message: fmt.Sprintf("command %q timed out", strings.Join(cmd, " "))}
}

// output is what the command wrote. A process it left behind may hold the
// pipe open for ever: after a moment the pipe is closed under the reader,
// which then stops with what it has.
func output(out <-chan string, r *os.File) string {
	select {
	case s := <-out:
		return s
	case <-time.After(200 * time.Millisecond):
		r.Close()
		return <-out
	}
}
