package monitor

import (
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// deadlineMessage is the kubelet's for a pod past activeDeadlineSeconds.
const deadlineMessage = "Pod was active on the node longer than the specified deadline"

// failPod ends the pod as the node does when it gives up on it (eviction,
// activeDeadlineSeconds): phase Failed with reason and message, no
// container started or restarted again, the running ones stopped (SIGTERM
// and SIGKILL after grace, or SIGKILL at once when grace is 0). The pod
// and its logs stay until `down`.
func (mon *monitor) failPod(reason state.Reason, msg string, grace time.Duration) {
	if mon.st.Terminating || mon.killed || mon.st.Phase.Done() {
		return
	}
	mon.killed = true
	mon.st.Phase, mon.st.Reason, mon.st.Message = state.PhaseFailed, reason, msg
	mon.st.AddEvent("Warning", string(reason), "", msg)
	for _, c := range mon.ctrs {
		c.halt()
	}
	mon.stopAll(grace)
}

// armDeadline starts the activeDeadlineSeconds clock from the pod's start
// on the node.
func (mon *monitor) armDeadline() {
	d := mon.pod.Spec.ActiveDeadlineSeconds
	if d == nil {
		return
	}
	left := time.Until(mon.st.StartTime.Add(time.Duration(*d) * time.Second))
	mon.deadline = time.After(max(left, 0))
}

// onDeadline fails a pod that is still active at its deadline.
func (mon *monitor) onDeadline() {
	mon.deadline = nil
	mon.failPod(state.ReasonDeadlineExceeded, deadlineMessage, mon.grace())
}
