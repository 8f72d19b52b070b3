package monitor

import (
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// TestPodOverWaitsForExecForks: an exec handed its container counts until
// its fork is reported, and a pod that is over meanwhile does not finish
// (its caller would read a closed socket instead of the exit code): the
// command exec'd may be what ended the pod, its exit reaped first.
func TestPodOverWaitsForExecForks(t *testing.T) {
	mon := &monitor{
		pod:       &podspec.Pod{},
		st:        &state.Pod{Phase: state.PhaseRunning},
		ctrs:      []*ctr{{spec: &podspec.Container{Name: "a"}, step: stepRunning, st: &state.Container{}}},
		execWaits: map[int]chan int{},
	}
	ask := func(name string) error {
		reply := make(chan execTarget, 1)
		mon.answerExec(execAsk{container: name, reply: reply})
		return (<-reply).err
	}
	if err := ask("nope"); err == nil || mon.execsOut != 0 {
		t.Fatalf("exec into no such container: err %v, %d under way", err, mon.execsOut)
	}
	if err := ask("a"); err != nil || mon.execsOut != 1 {
		t.Fatalf("exec into a: err %v, %d under way, want 1", err, mon.execsOut)
	}
	mon.st.Phase = state.PhaseSucceeded
	if mon.finished() {
		t.Fatal("the pod finished with an exec's fork unreported")
	}
	if mon.execGrace == nil {
		t.Error("no bound on the wait for the exec's fork")
	}
	mon.onExecForked(execForked{failed: true})
	if mon.execsOut != 0 {
		t.Errorf("%d execs under way after the only one failed to fork", mon.execsOut)
	}
}

// TestExecExitChangesNothing: an exec'd command's exit is delivered to its
// session and changes nothing the loop records (no state write after
// every exec), unless the pod is over and may now finish.
func TestExecExitChangesNothing(t *testing.T) {
	mon := &monitor{
		pod:       &podspec.Pod{},
		st:        &state.Pod{Phase: state.PhaseRunning},
		byPID:     map[int]*ctr{},
		execWaits: map[int]chan int{},
	}
	for _, over := range []bool{false, true} {
		mon.st.Terminating = over
		done := make(chan int, 1)
		mon.execWaits[42] = done
		if changed := mon.onExit(exitEvent{pid: 42}); changed != over {
			t.Errorf("pod over %v: exec's exit reported changed %v", over, changed)
		}
		select {
		case <-done:
		default:
			t.Errorf("pod over %v: the exec's exit was not delivered", over)
		}
	}
}

// TestTracersSee: a container may be traced by itself, by any of the pod's
// where they share a PID namespace, and by the host's processes with
// hostPID; only with CAP_SYS_PTRACE in a bounding set.
func TestTracersSee(t *testing.T) {
	a := &ctr{}
	b := &ctr{mayTrace: true}
	yes := true
	for _, c := range []struct {
		pod  podspec.PodSpec
		ctrs []*ctr
		want bool
	}{
		{podspec.PodSpec{}, []*ctr{a, b}, false},
		{podspec.PodSpec{ShareProcessNamespace: &yes}, []*ctr{a, b}, true},
		{podspec.PodSpec{HostPID: true}, []*ctr{a}, true},
		{podspec.PodSpec{}, []*ctr{a, {}}, false},
	} {
		mon := &monitor{pod: &podspec.Pod{Spec: c.pod}, ctrs: c.ctrs}
		if got := mon.tracersSee(a); got != c.want {
			t.Errorf("pod %+v: tracersSee %v, want %v", c.pod, got, c.want)
		}
	}
	if mon := (&monitor{pod: &podspec.Pod{}, ctrs: []*ctr{b}}); !mon.tracersSee(b) {
		t.Error("a container with CAP_SYS_PTRACE may trace its own processes")
	}
}

// TestPlannedMayTrace: whether a container may trace is read from its
// manifest, as its config.json will have it, before any start.
func TestPlannedMayTrace(t *testing.T) {
	yes := true
	for _, c := range []struct {
		sc   *podspec.SecurityContext
		want bool
	}{
		{nil, false},
		{&podspec.SecurityContext{Capabilities: &podspec.Capabilities{Add: []string{"SYS_PTRACE"}}}, true},
		{&podspec.SecurityContext{Capabilities: &podspec.Capabilities{Add: []string{"CAP_SYS_PTRACE"}, Drop: []string{"ALL"}}}, true},
		{&podspec.SecurityContext{Privileged: &yes}, true},
		{&podspec.SecurityContext{Capabilities: &podspec.Capabilities{Add: []string{"NET_ADMIN"}}}, false},
	} {
		ctr := &podspec.Container{Name: "c", SecurityContext: c.sc}
		if got := plannedMayTrace(&podspec.Pod{}, ctr); got != c.want {
			t.Errorf("securityContext %+v: plannedMayTrace %v, want %v", c.sc, got, c.want)
		}
	}
}
