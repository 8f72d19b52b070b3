// Package podstatus computes what kubectl shows of a pod from its state
// record: the phase as the kubelet derives it, the STATUS, READY and
// RESTARTS columns as kubectl prints them, and the v1 PodStatus object.
package podstatus

import (
	"fmt"
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// Status is the STATUS column of `kubectl get pods`, computed the way
// kubectl's printPod does from the pod's phase and container states.
func Status(st *state.Pod) string {
	if st.Unschedulable != "" && !st.Terminating {
		return "Pending" // as kubectl shows a pod no node could take
	}
	reason := string(st.Phase)
	if st.Reason != "" {
		reason = string(st.Reason)
	}
	initReason, initializing := initStatus(st)
	if initializing {
		reason = initReason
	} else {
		reason = appStatus(st, reason)
	}
	if st.Terminating && !st.Finished {
		return "Terminating"
	}
	return reason
}

func initStatus(st *state.Pod) (string, bool) {
	for i, c := range st.InitContainers {
		switch {
		case c.State == state.StateTerminated && c.ExitCode == 0:
			continue
		case c.State == state.StateTerminated:
			return "Init:" + terminatedReason(c), true
		case c.State == state.StateWaiting && c.Reason != "" && c.Reason != state.ReasonPodInitializing:
			return "Init:" + string(c.Reason), true
		default:
			return fmt.Sprintf("Init:%d/%d", i, len(st.InitContainers)), true
		}
	}
	return "", false
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

// appStatus walks app containers last to first, as kubectl does.
func appStatus(st *state.Pod, reason string) string {
	hasRunning := false
	for i := len(st.Containers) - 1; i >= 0; i-- {
		c := st.Containers[i]
		switch {
		case c.State == state.StateWaiting && c.Reason != "":
			reason = string(c.Reason)
		case c.State == state.StateTerminated:
			reason = terminatedReason(c)
		case c.State == state.StateRunning && c.Ready:
			hasRunning = true
		}
	}
	if reason == string(state.ReasonCompleted) && hasRunning {
		reason = "Running"
		if !podReady(st) {
			reason = "NotReady"
		}
	}
	return reason
}

func podReady(st *state.Pod) bool {
	for _, c := range st.Containers {
		if !c.Ready {
			return false
		}
	}
	return len(st.Containers) > 0
}

// Ready is the READY column: ready app containers / app containers.
func Ready(st *state.Pod) string {
	n := 0
	for _, c := range st.Containers {
		if c.Ready && c.State == state.StateRunning {
			n++
		}
	}
	return fmt.Sprintf("%d/%d", n, len(st.Containers))
}

// Restarts is the RESTARTS column, with kubectl's "(5s ago)" suffix.
func Restarts(st *state.Pod, now time.Time) string {
	list := st.Containers
	if _, initializing := initStatus(st); initializing {
		list = st.InitContainers
	}
	n := 0
	var last time.Time
	for _, c := range list {
		n += c.RestartCount
		if c.Last != nil && c.Last.FinishedAt.After(last) {
			last = c.Last.FinishedAt
		}
	}
	if n > 0 && !last.IsZero() {
		return fmt.Sprintf("%d (%s ago)", n, HumanDuration(now.Sub(last)))
	}
	return fmt.Sprint(n)
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
