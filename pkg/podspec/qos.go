package podspec

// Pod QoS classes (status.qosClass).
const (
	QOSGuaranteed = "Guaranteed"
	QOSBurstable  = "Burstable"
	QOSBestEffort = "BestEffort"
)

// QOSClass returns the pod's QoS class as Kubernetes 1.37 computes it
// (pkg/apis/core/v1/helper/qos ComputePodQOS, with PodLevelResources and
// PodLevelResourcesFixKubeletQOSClass on, their defaults):
//
//   - with pod-level cpu, memory or hugepages in spec.resources, the class of
//     spec.resources alone;
//   - otherwise per container, init containers included: a container with
//     no requests and no limits at all is BestEffort; else for cpu and for
//     memory, request != limit is Burstable, both unset (or 0) BestEffort,
//     equal and non-zero Guaranteed, and the container is Guaranteed or
//     BestEffort only if cpu and memory agree, else Burstable;
//   - the pod is Burstable if any container is, or if its containers mix
//     Guaranteed and BestEffort; else the class they share.
//
// Requests here are the defaulted ones (a limit alone is also the request).
func (p *Pod) QOSClass() string {
	s := &p.Spec
	if s.podLevelSet() {
		return requirementsQOS(s.Resources)
	}
	class := ""
	for _, c := range s.AllContainers() {
		cq := requirementsQOS(c.Resources)
		switch {
		case cq == QOSBurstable:
			return QOSBurstable
		case class == "":
			class = cq
		case class != cq:
			return QOSBurstable
		}
	}
	if class == "" {
		return QOSBestEffort
	}
	return class
}

// requirementsQOS is the class of one requests/limits pair.
func requirementsQOS(r *ResourceRequirements) string {
	if r == nil || len(r.Requests) == 0 && len(r.Limits) == 0 {
		return QOSBestEffort
	}
	reqs, lims := parseList(r.Requests), parseList(r.Limits)
	class := ""
	for _, name := range []string{ResourceCPU, ResourceMemory} {
		rq := resourceQOS(reqs[name], lims[name])
		switch {
		case rq == QOSBurstable:
			return QOSBurstable
		case class == "":
			class = rq
		case class != rq:
			return QOSBurstable
		}
	}
	return class
}

// resourceQOS: an unset request or limit counts as 0.
func resourceQOS(req, lim resQuantity) string {
	switch {
	case req.cmp(lim) != 0:
		return QOSBurstable
	case req.isZero():
		return QOSBestEffort
	}
	return QOSGuaranteed
}
