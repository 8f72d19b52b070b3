package podspec

import (
	"fmt"
)

// Pod-level resources (spec.resources) as the Kubernetes 1.37 API server
// validates them with PodLevelResources on (beta, on by default since
// 1.34): validatePodResources and validatePodResourceConsistency, after
// the pod-level defaults (defaults_resources.go).

func checkPodResources(c *podContext) []error {
	s := &c.pod.Spec
	if s.Resources == nil {
		return nil
	}
	var errs errList
	errs.add(checkRequirements(s.Resources, podResourceName, "spec.resources")...)
	errs.add(checkPodAggregateRequests(s)...)
	errs.add(checkPodHugePageLimits(s)...)
	errs.add(checkContainerLimitsInPod(s)...)
	return errs
}

// checkPodAggregateRequests: a pod-level request covers what its
// containers request together.
func checkPodAggregateRequests(s *PodSpec) []error {
	var errs errList
	aggr := aggregate(s, (*Container).requestList)
	for _, name := range sortedKeys(aggr) {
		v, ok := s.Resources.Requests[name]
		if !ok {
			continue
		}
		if pod := mustResource(v); aggr[name].cmp(pod) > 0 {
			errs.add(invalid(fmt.Sprintf("spec.resources.requests[%s]", name), pod.String(),
				fmt.Sprintf("must be greater than or equal to aggregate container requests of %s", aggr[name])))
		}
	}
	return errs
}

// checkPodHugePageLimits: hugepages are not overcommitted, so a pod-level
// hugepages limit covers the containers' limits together.
func checkPodHugePageLimits(s *PodSpec) []error {
	var errs errList
	aggr := aggregate(s, (*Container).limitList)
	for _, name := range sortedKeys(aggr) {
		v, ok := s.Resources.Limits[name]
		if !ok || !isHugePages(name) {
			continue
		}
		if pod := mustResource(v); aggr[name].cmp(pod) > 0 {
			errs.add(invalid(fmt.Sprintf("spec.resources.limits[%s]", name), pod.String(),
				fmt.Sprintf("must be greater than or equal to aggregate container limits of %s", aggr[name])))
		}
	}
	return errs
}

// checkContainerLimitsInPod: no app container's limit exceeds the pod's.
// The path is the API server's own, odd as it is:
// spec.resources.containers[i][name].limits.
func checkContainerLimitsInPod(s *PodSpec) []error {
	var errs errList
	for i := range s.Containers {
		lims := s.Containers[i].limitList()
		for _, name := range sortedKeys(lims) {
			v, ok := s.Resources.Limits[name]
			if !ok {
				continue
			}
			if pod := mustResource(v); lims[name].cmp(pod) > 0 {
				errs.add(invalid(fmt.Sprintf("spec.resources.containers[%d][%s].limits", i, name), lims[name].String(),
					fmt.Sprintf("must be less than or equal to pod limits of %s", pod)))
			}
		}
	}
	return errs
}

// checkResizePolicy: resizePolicy is accepted with a warning (nothing
// resizes a pod here) but held to the API server's rules.
func checkResizePolicy(c *podContext, ctr *Container, path string) []error {
	var errs errList
	lp := path + ".resizePolicy"
	seen := map[string]bool{}
	for i, p := range ctr.ResizePolicy {
		if seen[p.ResourceName] {
			errs.add(duplicate(fmt.Sprintf("%s[%d]", lp, i), p.ResourceName))
		}
		seen[p.ResourceName] = true
		errs.add(checkResizeName(p, lp))
		errs.add(checkResizeRestart(c, p, lp)...)
		if isPlainInit(ctr, path) && p.RestartPolicy == "RestartContainer" {
			errs.add(invalid(fmt.Sprintf("%s[%d].restartPolicy", lp, i), p.RestartPolicy,
				"must not be set to 'RestartContainer' for non-sidecar initContainers"))
		}
	}
	return errs
}

func checkResizeName(p ContainerResizePolicy, lp string) error {
	switch p.ResourceName {
	case ResourceCPU, ResourceMemory:
		return nil
	case "":
		return required(lp, "")
	}
	return unsupported(lp, p.ResourceName, ResourceCPU, ResourceMemory)
}

func checkResizeRestart(c *podContext, p ContainerResizePolicy, lp string) []error {
	var errs errList
	switch p.RestartPolicy {
	case "NotRequired", "RestartContainer":
	case "":
		errs.add(required(lp, ""))
	default:
		errs.add(unsupported(lp, p.RestartPolicy, "NotRequired", "RestartContainer"))
	}
	if c.pod.Spec.RestartPolicy == "Never" && p.RestartPolicy != "NotRequired" {
		errs.add(invalid(lp, p.RestartPolicy, "must be 'NotRequired' when pod `restartPolicy` is 'Never'"))
	}
	return errs
}
