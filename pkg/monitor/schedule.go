package monitor

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/state"
	"time"

	"github.com/minipod/minipod/pkg/capacity"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
)

// errDeletedPending: `down` came while the pod waited to fit.
var errDeletedPending = errors.New("deleted while Pending")

// scheduleRetry is how often a pod that does not fit asks again; the
// scheduler retries on cluster events, which here are pods going away.
const scheduleRetry = 2 * time.Second

// schedule binds the pod to the node, as the scheduler would, before
// anything of it is made. A pod whose requests do not fit in what the
// node has left stays Pending (PodScheduled False, Unschedulable, a
// FailedScheduling event), `up` hears so, and the pod starts once other
// pods have made room, or never, until `down`.
func (mon *monitor) schedule() error {
	if len(mon.pod.Spec.SchedulingGates) > 0 {
		return mon.gated()
	}
	req := mon.pod.EffectiveRequests()
	req[capacity.ResourcePods] = 1
	var tick *time.Ticker
	for {
		reasons, err := mon.bind(req)
		if err != nil {
			return err
		}
		if len(reasons) == 0 {
			if tick != nil {
				tick.Stop()
			}
			mon.st.AddEvent("Normal", "Scheduled", "", "Successfully assigned "+mon.pod.Namespace+"/"+mon.pod.Name+" to "+mon.pod.Spec.NodeName)
			return nil
		}
		if tick == nil {
			msg := capacity.Message(reasons)
			mon.st.Unschedulable = msg
			mon.st.AddEvent("Warning", "FailedScheduling", "", msg)
			mon.save()
			mon.report("pending " + msg)
			tick = time.NewTicker(scheduleRetry)
		}
		if err := mon.waitPending(tick.C, nil); err != nil {
			tick.Stop()
			return err
		}
	}
}

// gatedMessage is the API server's words for a gated pod's condition.
const gatedMessage = "Scheduling is blocked due to non-empty scheduling gates"

// gated keeps a pod with scheduling gates Pending, as the scheduler leaves
// it: SchedulingGated, until `down` (no one can lift a gate here: a pod's
// spec does not change once created). It waits for good, so its monitor
// tidies up here, once `up` has its answer.
func (mon *monitor) gated() error {
	mon.st.SchedulingGated, mon.st.Unschedulable = true, gatedMessage
	mon.save()
	mon.report("pending SchedulingGated: " + gatedMessage)
	return mon.waitPending(nil, mon.tidyDue)
}

// waitPending waits for the next try, answering exec requests meanwhile,
// and tidies up when tidy fires (a pod that never starts: a pod that does
// keeps its tidy-up for after its start, in run).
func (mon *monitor) waitPending(next, tidy <-chan time.Time) error {
	for {
		select {
		case <-next:
			return nil
		case <-mon.term:
			mon.st.Terminating = true
			return errDeletedPending
		case a := <-mon.execAsks:
			// The API server's answer for a pod on no node.
			a.reply <- execTarget{err: fmt.Errorf("pod %s does not have a host assigned", mon.pod.Name)}
		case <-tidy:
			tidy, mon.tidyDue = nil, nil
			mon.tidy()
		}
	}
}

// bind reserves req on the node if it fits, under the node lock so that
// two pods starting at once cannot both take the last of a resource, and
// otherwise says why not.
func (mon *monitor) bind(req map[string]int64) ([]string, error) {
	lock, err := roots.LockNode()
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	alloc, err := capacity.Allocatable(roots.Data)
	if err != nil {
		return nil, err
	}
	used, ids, err := boundRequests(mon.pod.Name)
	if err != nil {
		return nil, err
	}
	if reasons := capacity.Insufficient(alloc, used, req); len(reasons) > 0 {
		return reasons, nil
	}
	if mon.pod.Spec.OwnUserNS() && mon.st.UserNS == nil {
		if mon.st.UserNS, err = pickUserNS(ids); err != nil {
			return nil, err
		}
	}
	mon.st.Bound, mon.st.Requests, mon.st.Unschedulable = true, req, ""
	// Bound: the pod's spec names the node from now on, as the
	// scheduler's binding sets it (the downward API reads it).
	mon.st.NodeName = nodeconfig.NodeName()
	mon.pod.Spec.NodeName = mon.st.NodeName
	// Its time on the node starts now (activeDeadlineSeconds counts
	// from here), as the kubelet's status.startTime.
	mon.st.StartTime = time.Now().UTC()
	// Saved before the lock goes: the next pod to decide must count us.
	return nil, mon.write()
}

// boundRequests sums what the pods bound to the node, other than self,
// hold. A pod that has finished (Succeeded or Failed) holds nothing, as
// the scheduler does not count terminal pods. ids are the user namespace
// ranges of the others, finished or not: their files may still be in use
// until they are deleted.
func boundRequests(self string) (used podspec.ResourceAmounts, ids []*state.IDRange, err error) {
	names, err := roots.List()
	if err != nil {
		return nil, nil, err
	}
	used = podspec.ResourceAmounts{}
	for _, name := range names {
		if name == self {
			continue
		}
		b, err := roots.LoadBinding(name)
		if err != nil {
			continue // being created or removed: not bound
		}
		ids = append(ids, b.UserNS)
		if b.Bound && b.Phase != state.PhaseSucceeded && b.Phase != state.PhaseFailed {
			capacity.Add(used, b.Requests)
		}
	}
	return used, ids, nil
}
