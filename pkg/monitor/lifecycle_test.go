package monitor

import (
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
)

// Every step can reach done (a pod can always be deleted), and done is
// final but for a new sandbox, which starts every container over (idle).
func TestStepsReachDone(t *testing.T) {
	for s := stepIdle; s <= stepDone; s++ {
		found := false
		for _, n := range allowed[s] {
			found = found || n == stepDone
		}
		if !found && s != stepStarting && s != stepPulling && s != stepRunning {
			t.Errorf("%s cannot go to done", s)
		}
	}
	if n := allowed[stepDone]; len(n) != 2 || n[0] != stepDone || n[1] != stepIdle {
		t.Errorf("done leads to %v", n)
	}
}

// halt stops a waiting container's timer and ends it; a running one is
// left to the exit that follows its signal.
func TestHalt(t *testing.T) {
	c := &ctr{spec: &podspec.Container{Name: "c"}}
	mon := &monitor{retry: make(chan *ctr, 1)}
	mon.wait(c, retryCrash, time.Hour)
	c.halt()
	if c.step != stepDone || c.timer != nil {
		t.Errorf("halted waiting container: step %s, timer %v", c.step, c.timer)
	}
	r := &ctr{spec: &podspec.Container{Name: "r"}, step: stepRunning}
	r.halt()
	if r.step != stepRunning {
		t.Errorf("halt changed a running container to %s", r.step)
	}
}
