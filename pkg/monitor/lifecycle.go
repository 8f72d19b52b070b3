package monitor

import (
	"fmt"
	"os"
	"time"
)

// step is where a container is in its life as the monitor drives it. The
// state record (waiting/running/terminated and a reason) is what users
// see; the step is what the monitor does next, and each step has one
// owner: the loop, a start or a pull running off the loop, or a timer.
//
//	idle      → pulling (image to pull), starting, waiting (config or
//	            pull error, retried), blocked (ErrImageNeverPull)
//	pulling   → starting (pulled), waiting (pull failed)
//	starting  → running, waiting (CreateContainerConfigError), or, when
//	            the start failed, what an exit leads to
//	running   → (exited) done, or waiting (crash back-off), or straight
//	            back to pulling/starting (the first restart is at once)
//	waiting   → (timer) pulling or starting
//	any wait  → done when the pod is deleted or evicted
//	done      → idle when a new sandbox replaces one that died
type step int

const (
	stepIdle     step = iota // never started: waits its turn (init order, pod initialization)
	stepPulling              // its image is being pulled, off the loop
	stepStarting             // an instance is being started, off the loop
	stepRunning              // an instance runs: pid is set
	stepWaiting              // a timer will retry (retry says why)
	stepBlocked              // cannot go on by itself (ErrImageNeverPull, InvalidImageName)
	stepDone                 // terminated and not to be restarted
)

var stepNames = [...]string{"idle", "pulling", "starting", "running", "waiting", "blocked", "done"}

func (s step) String() string { return stepNames[s] }

// retryKind says what a waiting container's timer does when it fires.
type retryKind int

const (
	retryCrash  retryKind = iota // crash-loop back-off: a restart
	retryPull                    // image pull back-off: pull again
	retryConfig                  // CreateContainer[Config]Error: build the config again
)

// allowed lists each step's possible next steps; anything else is a bug
// in the monitor, logged rather than fatal so the pod keeps running.
var allowed = map[step][]step{
	stepIdle:     {stepPulling, stepStarting, stepWaiting, stepBlocked, stepDone},
	stepPulling:  {stepStarting, stepWaiting, stepDone},
	stepStarting: {stepRunning, stepWaiting, stepDone, stepStarting, stepPulling, stepBlocked},
	stepRunning:  {stepWaiting, stepStarting, stepPulling, stepBlocked, stepDone},
	stepWaiting:  {stepPulling, stepStarting, stepWaiting, stepBlocked, stepDone},
	stepBlocked:  {stepDone},
	stepDone:     {stepDone, stepIdle},
}

// enter moves c to step to.
func (c *ctr) enter(to step) {
	ok := false
	for _, s := range allowed[c.step] {
		ok = ok || s == to
	}
	if !ok {
		fmt.Fprintf(os.Stderr, "monitor: container %s: unexpected step %s -> %s\n", c.spec.Name, c.step, to)
	}
	c.step = to
}

// wait moves c to waiting: after d, the loop hears of it on retry.
func (mon *monitor) wait(c *ctr, kind retryKind, d time.Duration) {
	c.enter(stepWaiting)
	c.retry = kind
	c.timer = time.AfterFunc(d, func() { mon.retry <- c })
}

// halt ends c's waiting, if it has not started or waits: the pod is being
// deleted or evicted.
func (c *ctr) halt() {
	if c.step != stepIdle && c.step != stepWaiting && c.step != stepBlocked {
		return
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.enter(stepDone)
}
