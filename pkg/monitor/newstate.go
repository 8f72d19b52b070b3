package monitor

import (
	"os"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// newState is the record of a pod that is about to start: every container
// waiting, init containers pending, app containers blocked on them.
func newState(p *podspec.Pod) *state.Pod {
	now := time.Now().UTC()
	st := &state.Pod{
		Name: p.Name, Namespace: p.Namespace, UID: p.UID, Hostname: hostname(p),
		Created: now, StartTime: now, Phase: state.PhasePending, QOSClass: p.QOSClass(),
		Monitor: state.Identify(os.Getpid()),
	}
	for _, c := range p.Spec.InitContainers {
		st.InitContainers = append(st.InitContainers, withResources(state.Container{Name: c.Name, Image: c.Image, State: state.StateWaiting, Reason: state.ReasonPodInitializing, Sidecar: c.IsSidecar()}, &c))
	}
	reason := state.ReasonContainerCreating
	if len(p.Spec.InitContainers) > 0 {
		reason = state.ReasonPodInitializing
	}
	for _, c := range p.Spec.Containers {
		st.Containers = append(st.Containers, withResources(state.Container{Name: c.Name, Image: c.Image, State: state.StateWaiting, Reason: reason}, &c))
	}
	st.Initialized = len(p.Spec.InitContainers) == 0
	st.Labels = p.Labels
	for _, c := range p.Spec.AllContainers() {
		for _, port := range c.Ports {
			st.Ports = append(st.Ports, state.Port{Name: port.Name, ContainerPort: port.ContainerPort, Protocol: port.Protocol})
		}
	}
	return st
}

// withResources records the container's requests and limits for describe.
func withResources(sc state.Container, c *podspec.Container) state.Container {
	if c.Resources != nil {
		sc.Requests, sc.Limits = c.Resources.Requests, c.Resources.Limits
	}
	return sc
}
