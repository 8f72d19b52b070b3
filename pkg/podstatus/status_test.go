package podstatus

import (
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

func ctrState(s state.ContainerState, reason state.Reason, code int) state.Container {
	return state.Container{State: s, Reason: reason, ExitCode: code, Ready: s == state.StateRunning, Started: s != state.StateWaiting}
}

func TestStatus(t *testing.T) {
	run := ctrState(state.StateRunning, "", 0)
	done := ctrState(state.StateTerminated, "Completed", 0)
	failed := ctrState(state.StateTerminated, "Error", 1)
	waitInit := state.Container{State: state.StateWaiting, Reason: "PodInitializing"}
	for _, tc := range []struct {
		name string
		pod  state.Pod
		want string
	}{
		{"pending init", state.Pod{Phase: "Pending", InitContainers: []state.Container{waitInit, waitInit}, Containers: []state.Container{waitInit}}, "Init:0/2"},
		{"second init running", state.Pod{Phase: "Pending", InitContainers: []state.Container{done, run}, Containers: []state.Container{waitInit}}, "Init:1/2"},
		{"init failed", state.Pod{Phase: "Failed", InitContainers: []state.Container{failed}, Containers: []state.Container{waitInit}}, "Init:Error"},
		{"init crash loop", state.Pod{Phase: "Pending", InitContainers: []state.Container{ctrState(state.StateWaiting, "CrashLoopBackOff", 1)}}, "Init:CrashLoopBackOff"},
		{"init exit code without reason", state.Pod{Phase: "Pending", InitContainers: []state.Container{ctrState(state.StateTerminated, "", 3)}}, "Init:ExitCode:3"},
		{"pod initializing", state.Pod{Phase: "Pending", Initialized: true, InitContainers: []state.Container{done}, Containers: []state.Container{waitInit}}, "PodInitializing"},
		{"creating", state.Pod{Phase: "Pending", Initialized: true, Containers: []state.Container{{State: state.StateWaiting, Reason: "ContainerCreating"}}}, "ContainerCreating"},
		{"running", state.Pod{Phase: "Running", Initialized: true, Containers: []state.Container{run, run}}, "Running"},
		{"completed", state.Pod{Phase: "Succeeded", Initialized: true, Containers: []state.Container{done, done}}, "Completed"},
		{"one completed one running", state.Pod{Phase: "Running", Initialized: true, Containers: []state.Container{run, done}}, "NotReady"},
		{"error (kubectl reports the first container last)", state.Pod{Phase: "Failed", Initialized: true, Containers: []state.Container{failed, done}}, "Error"},
		{"completed first", state.Pod{Phase: "Failed", Initialized: true, Containers: []state.Container{done, failed}}, "Completed"},
		{"crash loop", state.Pod{Phase: "Running", Initialized: true, Containers: []state.Container{run, ctrState(state.StateWaiting, "CrashLoopBackOff", 1)}}, "CrashLoopBackOff"},
		{"signal", state.Pod{Phase: "Failed", Initialized: true, Containers: []state.Container{{State: state.StateTerminated, Signal: 9, ExitCode: 137}}}, "Signal:9"},
		{"terminating", state.Pod{Phase: "Running", Terminating: true, Initialized: true, Containers: []state.Container{run}}, "Terminating"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Status(&tc.pod); got != tc.want {
				t.Errorf("Status = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadyAndRestarts(t *testing.T) {
	now := time.Now()
	p := &state.Pod{Initialized: true, Containers: []state.Container{
		{State: state.StateRunning, Ready: true, RestartCount: 2, Last: &state.Terminated{FinishedAt: now.Add(-5 * time.Second)}},
		{State: state.StateWaiting, Reason: "CrashLoopBackOff", RestartCount: 1},
	}}
	if got := Ready(p); got != "1/2" {
		t.Errorf("Ready = %q, want 1/2", got)
	}
	if got := Restarts(p, now); got != "3 (5s ago)" {
		t.Errorf("Restarts = %q, want %q", got, "3 (5s ago)")
	}
	if got := Restarts(&state.Pod{Containers: []state.Container{{}}}, now); got != "0" {
		t.Errorf("Restarts = %q, want 0", got)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 59 * time.Second: "59s", 119 * time.Second: "119s", 2 * time.Minute: "2m",
		150 * time.Second: "2m30s", 30 * time.Minute: "30m", 5*time.Hour + 10*time.Minute: "5h10m",
		30 * time.Hour: "30h", 50 * time.Hour: "2d2h", 400 * 24 * time.Hour: "400d", -5 * time.Second: "<invalid>",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPhase(t *testing.T) {
	done := state.Container{State: state.StateTerminated, ExitCode: 0}
	failed := state.Container{State: state.StateTerminated, ExitCode: 1}
	run := state.Container{State: state.StateRunning}
	backoff := state.Container{State: state.StateWaiting, Reason: "CrashLoopBackOff", Started: true}
	never, onFailure, always := "Never", "OnFailure", "Always"
	// spec is a pod of policy whose containers have these policies of
	// their own (nil: none).
	spec := func(policy string, own ...*string) *podspec.PodSpec {
		s := &podspec.PodSpec{RestartPolicy: policy}
		for _, p := range own {
			s.Containers = append(s.Containers, podspec.Container{RestartPolicy: p})
		}
		return s
	}
	// onZero is a Never pod whose container's rule restarts it after exit 0.
	onZero := spec(never, &never)
	onZero.Containers[0].RestartPolicyRules = []podspec.ContainerRestartRule{{Action: podspec.RestartActionRestart,
		ExitCodes: &podspec.ContainerRestartRuleOnExitCodes{Operator: "In", Values: []int32{0}}}}
	for _, tc := range []struct {
		name string
		pod  state.Pod
		spec *podspec.PodSpec
		want state.Phase
	}{
		{"initializing", state.Pod{}, spec("Always"), "Pending"},
		{"all done", state.Pod{Initialized: true, Containers: []state.Container{done, done}}, spec(never, nil, nil), "Succeeded"},
		{"one failed", state.Pod{Initialized: true, Containers: []state.Container{done, failed}}, spec(never, nil, nil), "Failed"},
		{"running", state.Pod{Initialized: true, Containers: []state.Container{run, done}}, spec(never, nil, nil), "Running"},
		{"backing off", state.Pod{Initialized: true, Containers: []state.Container{backoff}}, spec(always, nil), "Running"},
		{"a sidecar runs on after the app completed", state.Pod{Initialized: true, InitContainers: []state.Container{sidecar(run)}, Containers: []state.Container{done}}, spec(never, nil), "Running"},
		{"stopped sidecars do not count", state.Pod{Initialized: true, InitContainers: []state.Container{sidecar(failed)}, Containers: []state.Container{done}}, spec(never, nil), "Succeeded"},
		{"nor do they save a failed app", state.Pod{Initialized: true, InitContainers: []state.Container{sidecar(done)}, Containers: []state.Container{failed}}, spec(never, nil), "Failed"},
		{"about to restart", state.Pod{Initialized: true, Containers: []state.Container{done}}, spec(always, nil), "Running"},
		// The kubelet's own cases for container restart policies.
		{"own Never failed in an Always pod", state.Pod{Initialized: true, Containers: []state.Container{failed}}, spec(always, &never), "Failed"},
		{"own Always stopped in a Never pod", state.Pod{Initialized: true, Containers: []state.Container{failed}}, spec(never, &always), "Running"},
		{"own Never and OnFailure succeeded in an Always pod", state.Pod{Initialized: true, Containers: []state.Container{done, done}}, spec(always, &never, &onFailure), "Succeeded"},
		{"a deleted pod restarts nothing", state.Pod{Initialized: true, Terminating: true, Containers: []state.Container{failed}}, spec(always, nil), "Failed"},
		{"a rule restarts it", state.Pod{Initialized: true, Containers: []state.Container{done}}, onZero, "Running"},
		{"a rule that does not match", state.Pod{Initialized: true, Containers: []state.Container{failed}}, onZero, "Failed"},
	} {
		if got := Phase(&tc.pod, tc.spec); got != tc.want {
			t.Errorf("%s: phase = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func sidecar(c state.Container) state.Container {
	c.Sidecar = true
	return c
}

// TestSidecarColumns: kubectl's columns for pods with native sidecars.
// A started sidecar counts in READY (and its total) and lets the init walk
// go on; one that has not started holds it; once the pod is initialized,
// its restarts add to the app containers'.
func TestSidecarColumns(t *testing.T) {
	now := time.Now()
	run := ctrState(state.StateRunning, "", 0)
	done := ctrState(state.StateTerminated, "Completed", 0)
	waitInit := state.Container{State: state.StateWaiting, Reason: "PodInitializing"}
	probing := run
	probing.StartupProbing, probing.Ready = true, false
	crashing := ctrState(state.StateWaiting, "CrashLoopBackOff", 1)
	crashing.RestartCount, crashing.Last = 3, &state.Terminated{ExitCode: 1, FinishedAt: now.Add(-7 * time.Second)}
	for _, tc := range []struct {
		name                   string
		pod                    state.Pod
		ready, status, restart string
	}{
		{"sidecar starting", state.Pod{Phase: "Pending", InitContainers: []state.Container{sidecar(probing)}, Containers: []state.Container{waitInit}}, "0/2", "Init:0/1", "0"},
		{"sidecar started, init after it", state.Pod{Phase: "Pending", InitContainers: []state.Container{sidecar(run), run}, Containers: []state.Container{waitInit}}, "1/2", "Init:1/2", "0"},
		{"running beside the app", state.Pod{Phase: "Running", Initialized: true, InitContainers: []state.Container{done, sidecar(run)}, Containers: []state.Container{run}}, "2/2", "Running", "0"},
		{"app completed, sidecar runs", state.Pod{Phase: "Running", Initialized: true, InitContainers: []state.Container{sidecar(run)}, Containers: []state.Container{done}}, "1/2", "Completed", "0"},
		{"sidecar crash-looping after initialization", state.Pod{Phase: "Running", Initialized: true, InitContainers: []state.Container{sidecar(crashing)}, Containers: []state.Container{run}}, "1/2", "Init:CrashLoopBackOff", "3 (7s ago)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Ready(&tc.pod); got != tc.ready {
				t.Errorf("Ready = %q, want %q", got, tc.ready)
			}
			if got := Status(&tc.pod); got != tc.status {
				t.Errorf("Status = %q, want %q", got, tc.status)
			}
			if got := Restarts(&tc.pod, now); got != tc.restart {
				t.Errorf("Restarts = %q, want %q", got, tc.restart)
			}
		})
	}
}
