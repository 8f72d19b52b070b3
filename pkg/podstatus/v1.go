package podstatus

import (
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// Timestamp is a time as the API writes it (RFC 3339, UTC; empty for none).
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// V1 is the pod's v1 status, as the API server would hold it.
func V1(st *state.Pod) *podspec.PodStatus {
	s := &podspec.PodStatus{Phase: string(st.Phase), Reason: string(st.Reason), Message: st.Message, StartTime: Timestamp(st.StartTime), QOSClass: st.QOSClass}
	if st.PodIP != "" {
		s.PodIP, s.PodIPs = st.PodIP, []podspec.PodIP{{IP: st.PodIP}}
	}
	if st.HostIP != "" {
		s.HostIP, s.HostIPs = st.HostIP, []podspec.HostIP{{IP: st.HostIP}}
	}
	if st.Unschedulable != "" {
		// Not on the node yet: no start time, no container status, as the
		// API server shows a pod the scheduler could not place.
		s.StartTime = ""
		reason := "Unschedulable"
		if st.SchedulingGated {
			reason = "SchedulingGated"
		}
		s.Conditions = []podspec.PodCondition{{Type: "PodScheduled", Status: "False", Reason: reason, Message: st.Unschedulable}}
		return s
	}
	s.Conditions = conditions(st)
	for _, c := range st.InitContainers {
		s.InitContainerStatuses = append(s.InitContainerStatuses, containerStatus(c))
	}
	for _, c := range st.Containers {
		s.ContainerStatuses = append(s.ContainerStatuses, containerStatus(c))
	}
	return s
}

func conditions(st *state.Pod) []podspec.PodCondition {
	b := func(v bool) string {
		if v {
			return "True"
		}
		return "False"
	}
	ready := PodReady(st)
	return []podspec.PodCondition{
		{Type: "PodScheduled", Status: "True"},
		{Type: "Initialized", Status: b(st.Initialized)},
		{Type: "ContainersReady", Status: b(ready)},
		{Type: "Ready", Status: b(ready)},
	}
}

func containerStatus(c state.Container) podspec.ContainerStatus {
	started := c.State == state.StateRunning && !c.StartupProbing
	cs := podspec.ContainerStatus{Name: c.Name, Ready: c.Ready && started, RestartCount: int32(c.RestartCount), Image: c.Image, ImageID: c.Image, Started: &started}
	switch c.State {
	case state.StateRunning:
		cs.State.Running = &podspec.ContainerStateRunning{StartedAt: Timestamp(c.StartedAt)}
	case state.StateTerminated:
		cs.State.Terminated = &podspec.ContainerStateTerminated{ExitCode: int32(c.ExitCode), Signal: int32(c.Signal), Reason: string(c.Reason), Message: c.Message, StartedAt: Timestamp(c.StartedAt), FinishedAt: Timestamp(c.FinishedAt)}
	default:
		cs.State.Waiting = &podspec.ContainerStateWaiting{Reason: string(c.Reason), Message: c.Message}
	}
	if c.State == state.StateRunning {
		cs.Resources = &podspec.ResourceRequirements{Requests: c.Requests, Limits: c.Limits}
	}
	if len(c.Requests) > 0 {
		cs.AllocatedResources = c.Requests
	}
	cs.StopSignal = c.StopSignal
	if u := c.User; u != nil {
		cs.User = &podspec.ContainerUser{Linux: &podspec.LinuxContainerUser{UID: u.UID, GID: u.GID, SupplementalGroups: u.Groups}}
	}
	if l := c.Last; l != nil {
		cs.LastState.Terminated = &podspec.ContainerStateTerminated{ExitCode: int32(l.ExitCode), Signal: int32(l.Signal), Reason: string(l.Reason), Message: l.Message, StartedAt: Timestamp(l.StartedAt), FinishedAt: Timestamp(l.FinishedAt)}
	}
	return cs
}
