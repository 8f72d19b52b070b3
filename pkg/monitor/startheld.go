package monitor

import (
	"time"

	"github.com/minipod/minipod/pkg/infra"
	"github.com/minipod/minipod/pkg/state"
)

// abandonStart waits for what startPod began beside the loop's goroutine
// (pause's report, the network's attachment, the containers' cgroups and
// starts), so that the teardown that follows finds all of it, and returns
// the error to report: pause's, when it failed (a pause that died makes
// the rest fail too, with less telling errors), else err.
func (mon *monitor) abandonStart(p *infra.Process, plugged func() (*plug, error), err error) error {
	if mon.gate != nil {
		mon.gate.fail()
	}
	// Starts held at the gate end at once; pulls are told to stop.
	close(mon.stopping)
	mon.awaitStarts()
	if pl, _ := plugged(); pl != nil && pl.att != nil {
		heldPorts = pl.att.Ports // for the teardown's detach to close
	}
	mon.awaitCgroups()
	if rerr := p.Ready(); rerr != nil {
		return rerr
	}
	return err
}

// plugInMeanwhile attaches the pod's network off the loop's goroutine;
// wait returns the outcome, as often as asked. A hostNetwork pod has
// nothing to attach.
func (mon *monitor) plugInMeanwhile(pausePID int) (wait func() (*plug, error)) {
	if mon.pod.Spec.HostNetwork {
		return func() (*plug, error) { return nil, nil }
	}
	done := make(chan struct{})
	var pl plug
	var err error
	go func() {
		defer close(done)
		pl, err = mon.plugIn(pausePID)
	}()
	return func() (*plug, error) {
		<-done
		return &pl, err
	}
}

// startHeld starts the pod's first containers while pause sets up the
// namespaces and the network is attached, held at the gate until both
// are done (see gate). If either fails, the starts end before their
// commands ran and are waited for, so that the caller's teardown finds
// everything they made.
func (mon *monitor) startHeld(p *infra.Process, plugged func() (*plug, error)) error {
	mon.gate = newGate()
	defer func() { mon.gate = nil }()
	since := time.Now().UTC()
	mon.advance()
	err := p.Ready()
	trace("pause ready")
	pl, perr := plugged()
	if err == nil {
		err = perr
	}
	if err == nil && pl != nil {
		mon.plugged(*pl)
		moveLastEvent(mon.st, since)
		// Built already and bound into the roots: the file itself
		// must change, not be replaced.
		err = rewriteHosts(mon.pe.files["/etc/hosts"], mon.st, mon.pod)
	}
	if err != nil {
		return mon.abandonStart(p, plugged, err)
	}
	trace("network attached")
	mon.gate.open()
	mon.awaitCgroups() // done long since: none outlives the boot
	mon.save()
	return nil
}

// moveLastEvent puts the pod's last event before those recorded since,
// as if it had been recorded then: the network is attached before the
// first containers' events, as the kubelet tells it, though it is done
// after they began.
func moveLastEvent(st *state.Pod, since time.Time) {
	ev := st.Events
	n := len(ev)
	i := n - 1
	for i > 0 && !ev[i-1].Time.Before(since) {
		i--
	}
	if i >= n-1 {
		return
	}
	last := ev[n-1]
	last.Time = ev[i].Time
	copy(ev[i+1:], ev[i:n-1])
	ev[i] = last
}

// awaitStarts waits for the result of every start in flight, whose
// failure the caller is about to act on.
func (mon *monitor) awaitStarts() {
	for _, c := range mon.ctrs {
		if c.step == stepStarting {
			<-mon.spawned
		}
	}
}
