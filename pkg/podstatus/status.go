// Package podstatus computes what kubectl shows of a pod from its state
// record: the phase as the kubelet derives it, the STATUS, READY and
// RESTARTS columns as kubectl prints them, and the v1 PodStatus object.
package podstatus

import (
	"fmt"
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// columns are the READY, STATUS and RESTARTS columns of `kubectl get
// pods`, computed in one walk as kubectl's printPod does: init containers
// in order up to the first that holds the pod's initialization (a native
// sidecar that has started does not), then, once the pod is initialized,
// app containers last to first.
type columns struct {
	ready, total int
	status       string
	restarts     int
	lastRestart  time.Time
}

func printColumns(st *state.Pod) columns {
	col := columns{status: string(st.Phase), total: len(st.Containers)}
	if st.Reason != "" {
		col.status = string(st.Reason)
	}
	for _, c := range st.InitContainers {
		if c.Sidecar {
			col.total++
		}
	}
	sideRestarts, sideLast := 0, time.Time{}
	initializing := false
	for i, c := range st.InitContainers {
		col.restarts += c.RestartCount
		col.lastRestart = later(col.lastRestart, c.Last)
		if c.Sidecar {
			sideRestarts += c.RestartCount
			sideLast = later(sideLast, c.Last)
		}
		switch {
		case c.State == state.StateTerminated && c.ExitCode == 0:
			continue
		case c.Sidecar && started(c):
			if c.Ready {
				col.ready++
			}
			continue
		case c.State == state.StateTerminated:
			col.status = "Init:" + terminatedReason(c)
		case c.State == state.StateWaiting && c.Reason != "" && c.Reason != state.ReasonPodInitializing:
			col.status = "Init:" + string(c.Reason)
		default:
			col.status = fmt.Sprintf("Init:%d/%d", i, len(st.InitContainers))
		}
		initializing = true
		break
	}
	if !initializing || st.Initialized {
		col.restarts, col.lastRestart = sideRestarts, sideLast
		col.appColumns(st)
	}
	return col
}

// appColumns walks app containers last to first, as kubectl does.
func (col *columns) appColumns(st *state.Pod) {
	hasRunning := false
	for i := len(st.Containers) - 1; i >= 0; i-- {
		c := st.Containers[i]
		col.restarts += c.RestartCount
		col.lastRestart = later(col.lastRestart, c.Last)
		switch {
		case c.State == state.StateWaiting && c.Reason != "":
			col.status = string(c.Reason)
		case c.State == state.StateTerminated:
			col.status = terminatedReason(c)
		case c.State == state.StateRunning && c.Ready:
			hasRunning = true
			col.ready++
		}
	}
	if col.status == string(state.ReasonCompleted) && hasRunning {
		col.status = "Running"
		if !PodReady(st) {
			col.status = "NotReady"
		}
	}
}

func later(t time.Time, last *state.Terminated) time.Time {
	if last != nil && last.FinishedAt.After(t) {
		return last.FinishedAt
	}
	return t
}

// started is a container status's "started": running, past its startup
// probe (and its postStart hook, during which it is not running yet).
func started(c state.Container) bool {
	return c.State == state.StateRunning && !c.StartupProbing
}

// Status is the STATUS column of `kubectl get pods`.
func Status(st *state.Pod) string {
	if st.SchedulingGated && !st.Terminating {
		return "SchedulingGated"
	}
	if st.Unschedulable != "" && !st.Terminating {
		return "Pending" // as kubectl shows a pod no node could take
	}
	if st.Terminating && !st.Finished {
		return "Terminating"
	}
	return printColumns(st).status
}

func terminatedReason(c state.Container) string {
	switch {
	case c.Reason != "":
		return string(c.Reason)
	case c.Signal != 0:
		return fmt.Sprintf("Signal:%d", c.Signal)
	default:
		return fmt.Sprintf("ExitCode:%d", c.ExitCode)
	}
}

// PodReady is the Ready condition as the kubelet sets it: every app
// container and every native sidecar ready. A Service sends traffic to
// the pods that are.
func PodReady(st *state.Pod) bool {
	for _, c := range st.InitContainers {
		if c.Sidecar && !(c.Ready && started(c)) {
			return false
		}
	}
	for _, c := range st.Containers {
		if !c.Ready {
			return false
		}
	}
	return len(st.Containers) > 0
}

// Ready is the READY column: ready app containers and started, ready
// sidecars, over app containers and sidecars.
func Ready(st *state.Pod) string {
	col := printColumns(st)
	return fmt.Sprintf("%d/%d", col.ready, col.total)
}

// Restarts is the RESTARTS column, with kubectl's "(5s ago)" suffix.
func Restarts(st *state.Pod, now time.Time) string {
	col := printColumns(st)
	if col.restarts > 0 && !col.lastRestart.IsZero() {
		return fmt.Sprintf("%d (%s ago)", col.restarts, HumanDuration(now.Sub(col.lastRestart)))
	}
	return fmt.Sprint(col.restarts)
}

// HumanDuration formats an age the way kubectl does.
func HumanDuration(d time.Duration) string {
	if d < -time.Second {
		return "<invalid>"
	}
	if d < 0 {
		return "0s"
	}
	sec, min, hours := int(d.Seconds()), int(d/time.Minute), int(d/time.Hour)
	switch {
	case sec < 120:
		return fmt.Sprintf("%ds", sec)
	case min < 10:
		return pair(min, "m", sec%60, "s")
	case min < 180:
		return fmt.Sprintf("%dm", min)
	case hours < 8:
		return pair(hours, "h", min%60, "m")
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		return pair(hours/24, "d", hours%24, "h")
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*8:
		return pair(hours/24/365, "y", hours/24%365, "d")
	default:
		return fmt.Sprintf("%dy", hours/24/365)
	}
}

func pair(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s%d%s", a, au, b, bu)
}
