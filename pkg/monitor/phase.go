package monitor

import (
	"fmt"

	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/state"
)

// updatePhase computes the pod phase as the kubelet's getPhase does.
func (mon *monitor) updatePhase() {
	st := mon.st
	if st.Phase == state.PhaseFailed || mon.resandbox {
		return // final; or containers stopped for a new sandbox, not ended
	}
	st.Phase = podstatus.Phase(st, &mon.pod.Spec)
}

// readiness decides what `up -d` hears: "ok" once every app container has
// started (and, with waitReady, every running one and every running
// sidecar is ready: its startup and readiness probes passed), or the pod
// finished; "fail <why>" when it
// cannot start on its own.
func readiness(st *state.Pod, waitReady bool) (string, bool) {
	if st.Terminating {
		return "fail pod " + st.Name + " was deleted while it started", true
	}
	if st.Phase == state.PhaseFailed {
		return "fail pod " + st.Name + " failed: " + podstatus.Status(st) + messageSuffix(st.Message) + startErrors(st), true
	}
	if st.Phase == state.PhaseSucceeded {
		return "ok", true
	}
	// Every app container has run: one that never got started (a start
	// error, retried) must not count because it has restarts.
	all := st.Initialized
	for _, c := range st.InitContainers {
		if c.Sidecar && waitReady && c.State == state.StateRunning && (!c.Ready || c.StartupProbing) {
			all = false
		}
	}
	for _, c := range st.Containers {
		if !c.Started || waitReady && c.State == state.StateRunning && (!c.Ready || c.StartupProbing) {
			all = false
		}
	}
	if all {
		return "ok", true
	}
	for i, c := range st.All() {
		field := fmt.Sprintf("spec.containers[%d]", i-len(st.InitContainers))
		if i < len(st.InitContainers) {
			field = fmt.Sprintf("spec.initContainers[%d]", i)
		}
		fail := "fail pod " + st.Name + " is not running: " + podstatus.Status(st) + ": "
		switch c.Reason {
		case state.ReasonErrImagePull, state.ReasonImagePullBackOff, state.ReasonErrImageNeverPull, state.ReasonInvalidImageName:
			if c.ImageVolume != "" {
				return fail + fmt.Sprintf("%s (%s) mounts image volume %q", field, c.Name, c.ImageVolume) + ownReason(st, *c) + messageSuffix(c.Message), true
			}
			return fail + fmt.Sprintf("%s.image %q", field, c.Image) + ownReason(st, *c) + messageSuffix(c.Message), true
		case state.ReasonCreateContainerConfigError, state.ReasonCreateContainerError:
			return fail + field + " (" + c.Name + ")" + ownReason(st, *c) + messageSuffix(c.Message), true
		case state.ReasonCrashLoopBackOff, state.ReasonStartError:
			return fail + field + " (" + c.Name + ")" + ownReason(st, *c) + messageSuffix(c.Message) + lastStartError(*c), true
		}
	}
	return "", false
}

// ownReason names c's reason when the pod's status column shows another
// container's (kubectl shows the first container's reason): the message
// must say what is wrong with the container it names.
func ownReason(st *state.Pod, c state.Container) string {
	if podstatus.Status(st) == string(c.Reason) {
		return ""
	}
	return ": " + string(c.Reason)
}

// startErrors says why containers of a failed pod could not start.
func startErrors(st *state.Pod) string {
	var out string
	for _, c := range st.All() {
		if c.Reason == state.ReasonStartError && c.Message != "" {
			out += "; container " + c.Name + ": " + c.Message
		}
	}
	return out
}

// lastStartError is why a container in back-off could not start, when
// that is why: what a user fixes.
func lastStartError(c state.Container) string {
	if c.Reason != state.ReasonCrashLoopBackOff || c.Last == nil || c.Last.Reason != state.ReasonStartError {
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
