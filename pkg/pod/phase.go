package pod

import (
	"fmt"

	"github.com/minipod/minipod/pkg/state"
)

// updatePhase computes the pod phase as the kubelet's getPhase does.
func (mon *monitor) updatePhase() {
	st := mon.st
	if st.Phase == "Failed" {
		return
	}
	st.Phase = phaseOf(st, mon.pod.Spec.RestartPolicy)
}

func phaseOf(st *state.Pod, policy string) string {
	if !st.Initialized {
		return "Pending"
	}
	running, waiting, succeeded, failed := 0, 0, 0, 0
	for _, c := range st.Containers {
		switch {
		case c.State == state.StateRunning:
			running++
		case c.State == state.StateWaiting && !c.Started && c.RestartCount == 0:
			waiting++
		case c.State == state.StateWaiting: // crash-loop back-off
			running++
		case c.ExitCode == 0:
			succeeded++
		default:
			failed++
		}
	}
	switch {
	case waiting > 0:
		return "Pending"
	case running > 0:
		return "Running"
	case failed > 0:
		return "Failed"
	case succeeded > 0 && policy == "Always":
		return "Running" // about to restart
	default:
		return "Succeeded"
	}
}

// readiness decides what `up -d` hears: "ok" once every app container has
// started, or the pod finished; "fail <why>" when it cannot start on its own.
func readiness(st *state.Pod) (string, bool) {
	if st.Phase == "Failed" {
		return "fail pod " + st.Name + " failed: " + Status(st) + messageSuffix(st.Message) + startErrors(st), true
	}
	if st.Phase == "Succeeded" {
		return "ok", true
	}
	// Every app container has run: one that never got started (a start
	// error, retried) must not count because it has restarts.
	all := st.Initialized
	for _, c := range st.Containers {
		if !c.Started {
			all = false
		}
	}
	if all {
		return "ok", true
	}
	for i, c := range append(append([]state.Container{}, st.InitContainers...), st.Containers...) {
		field := fmt.Sprintf("spec.containers[%d]", i-len(st.InitContainers))
		if i < len(st.InitContainers) {
			field = fmt.Sprintf("spec.initContainers[%d]", i)
		}
		switch c.Reason {
		case "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull":
			return fmt.Sprintf("fail pod %s is not running: %s: %s.image %q: %s", st.Name, Status(st), field, c.Image, c.Message), true
		case "CreateContainerConfigError":
			return "fail pod " + st.Name + " is not running: " + Status(st) + ": " + field + " (" + c.Name + ")" + messageSuffix(c.Message), true
		case "CrashLoopBackOff", "StartError":
			return "fail pod " + st.Name + " is not running: " + Status(st) + ": " + field + " (" + c.Name + ")" + messageSuffix(c.Message) + lastStartError(c), true
		}
	}
	return "", false
}

// startErrors says why containers of a failed pod could not start.
func startErrors(st *state.Pod) string {
	var out string
	for _, c := range append(append([]state.Container{}, st.InitContainers...), st.Containers...) {
		if c.Reason == "StartError" && c.Message != "" {
			out += "; container " + c.Name + ": " + c.Message
		}
	}
	return out
}

// lastStartError is why a container in back-off could not start, when
// that is why: what a user fixes.
func lastStartError(c state.Container) string {
	if c.Reason != "CrashLoopBackOff" || c.Last == nil || c.Last.Reason != "StartError" {
		return ""
	}
	return "; last start failed: " + c.Last.Message
}

func messageSuffix(m string) string {
	if m == "" {
		return ""
	}
	return ": " + m
}
