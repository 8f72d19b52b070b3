package podstatus

import "github.com/minipod/minipod/pkg/state"

// Phase is the pod phase as the kubelet's getPhase computes it from the
// containers' states and the restart policy. A running native sidecar
// keeps the pod Running; one that has ended (or waits to restart) does
// not count, so a Job-like pod completes once its app containers have and
// its sidecars are stopped.
func Phase(st *state.Pod, policy string) state.Phase {
	if !st.Initialized {
		return state.PhasePending
	}
	running, waiting, succeeded, failed := 0, 0, 0, 0
	for _, c := range st.InitContainers {
		if c.Sidecar && c.State == state.StateRunning {
			running++
		}
	}
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
		return state.PhasePending
	case running > 0:
		return state.PhaseRunning
	case failed > 0:
		return state.PhaseFailed
	case succeeded > 0 && policy == "Always":
		return state.PhaseRunning // about to restart
	default:
		return state.PhaseSucceeded
	}
}
