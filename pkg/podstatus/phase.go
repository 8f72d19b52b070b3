package podstatus

import (
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// Phase is the pod phase as the kubelet's getPhase computes it from the
// containers' states and their restart policies (spec: the container's
// own restartPolicy and rules, else the pod's). A running native sidecar
// keeps the pod Running; one that has ended (or waits to restart) does
// not count, so a Job-like pod completes once its app containers have and
// its sidecars are stopped. A pod whose app containers have all stopped is
// still Running while one of them will be restarted.
func Phase(st *state.Pod, spec *podspec.PodSpec) state.Phase {
	if !st.Initialized {
		return state.PhasePending
	}
	running, waiting, failed, restarting := 0, 0, 0, false
	for _, c := range st.InitContainers {
		if c.Sidecar && c.State == state.StateRunning {
			running++
		}
	}
	for i, c := range st.Containers {
		switch {
		case c.State == state.StateRunning:
			running++
		case c.State == state.StateWaiting && !c.Started && c.RestartCount == 0:
			waiting++
		case c.State == state.StateWaiting: // crash-loop back-off
			running++
		default:
			if c.ExitCode != 0 {
				failed++
			}
			// A deleted pod restarts nothing.
			restarting = restarting || !st.Terminating && i < len(spec.Containers) &&
				spec.Containers[i].RestartsAfter(c.ExitCode, spec.RestartPolicy, false)
		}
	}
	switch {
	case waiting > 0:
		return state.PhasePending
	case running > 0, restarting:
		return state.PhaseRunning
	case failed > 0:
		return state.PhaseFailed
	default:
		return state.PhaseSucceeded
	}
}
