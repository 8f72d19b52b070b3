package podspec

// The pod's resources as the kubelet computes them
// (k8s.io/component-helpers/resource: PodRequests, PodLimits,
// AggregateContainerRequests/Limits; pkg/kubelet/cm ResourceConfigForPod),
// for the pod cgroup. Init containers run one at a time before the app
// containers, so a pod needs, per resource, the larger of its largest init
// container and the sum of its app containers. Native sidecars (init
// containers with restartPolicy: Always) keep running: each adds to the
// app containers' sum, and every init container after a sidecar runs
// beside it, so it needs its own amount plus the sidecars before it.
// spec.overhead is accepted with a warning and left out: nothing on one
// node adds a runtime's overhead.

// aggregate is the pod's total of one list per container, per resource:
// max(sum over app containers and sidecars, max over init containers of
// itself plus the sidecars started before it).
func aggregate(s *PodSpec, list func(*Container) resourceList) resourceList {
	out := resourceList{}
	for i := range s.Containers {
		addList(out, list(&s.Containers[i]))
	}
	inits, sidecars := resourceList{}, resourceList{}
	for i := range s.InitContainers {
		c := &s.InitContainers[i]
		if c.IsSidecar() {
			addList(sidecars, list(c))
			addList(out, list(c))
			maxList(inits, sidecars)
			continue
		}
		alongside := resourceList{}
		addList(alongside, list(c))
		addList(alongside, sidecars)
		maxList(inits, alongside)
	}
	maxList(out, inits)
	return out
}

func addList(into, l resourceList) {
	for name, q := range l {
		if have, ok := into[name]; ok {
			into[name] = have.plus(q)
		} else {
			into[name] = q
		}
	}
}

func maxList(into, l resourceList) {
	for name, q := range l {
		if have, ok := into[name]; !ok || q.cmp(have) > 0 {
			into[name] = q
		}
	}
}

// hasPodLevel reports whether the list names a resource spec.resources
// may set (cpu, memory, hugepages-*): only then do pod-level values count.
func hasPodLevel(m map[string]string) bool {
	for name := range m {
		if isPodLevelResource(name) {
			return true
		}
	}
	return false
}

// podLevelSet is Kubernetes' IsPodLevelResourcesSet.
func (s *PodSpec) podLevelSet() bool {
	return s.Resources != nil && (hasPodLevel(s.Resources.Requests) || hasPodLevel(s.Resources.Limits))
}

// overridePodLevel replaces aggregated values by the pod-level ones.
func overridePodLevel(l resourceList, podLevel map[string]string) {
	for name, s := range podLevel {
		if isPodLevelResource(name) {
			l[name] = mustResource(s)
		}
	}
}

func (s *PodSpec) podRequests() resourceList {
	reqs := aggregate(s, (*Container).requestList)
	if s.Resources != nil && hasPodLevel(s.Resources.Requests) {
		overridePodLevel(reqs, s.Resources.Requests)
	}
	return reqs
}

func (s *PodSpec) podLimits() resourceList {
	lims := aggregate(s, (*Container).limitList)
	if s.podLevelSet() {
		overridePodLevel(lims, s.Resources.Limits)
	}
	return lims
}

// EffectiveRequests returns what the pod as a whole requests
// (resourcehelper.PodRequests): per resource, the larger of the largest
// init container request and the sum of the app container requests, with
// the pod-level spec.resources.requests in place of that for cpu, memory
// and hugepages when set. The pod cgroup's CPU weight derives from "cpu".
func (p *Pod) EffectiveRequests() ResourceAmounts {
	return p.Spec.podRequests().amounts()
}

// EffectiveLimits returns the pod's limits as resourcehelper.PodLimits
// computes them: aggregated like EffectiveRequests over the containers
// that set a limit, with pod-level limits in their place when set. A
// container without a limit does not make the sum unlimited here; the
// kubelet's eviction manager compares pod ephemeral-storage use with this
// value. For what the pod cgroup enforces, see CgroupLimits.
func (p *Pod) EffectiveLimits() ResourceAmounts {
	return p.Spec.podLimits().amounts()
}

// CgroupLimits returns the limits the kubelet writes to the pod's cgroup
// (ResourceConfigForPod): "cpu" (millicores, for the CFS quota) and
// "memory" (bytes) only when the pod is Guaranteed, or when every init and
// app container sets a non-zero limit for it, or the pod sets one in
// spec.resources; and every hugepages-<size> the pod requests, at its
// effective request. An absent resource is not limited at pod level.
func (p *Pod) CgroupLimits() ResourceAmounts {
	s := &p.Spec
	lims := s.podLimits()
	guaranteed := p.QOSClass() == QOSGuaranteed
	out := ResourceAmounts{}
	for _, name := range []string{ResourceCPU, ResourceMemory} {
		q, ok := lims[name]
		if ok && (guaranteed || s.limitDeclared(name)) {
			out[name] = amountOf(name, q)
		}
	}
	for name, q := range s.podRequests() {
		if isHugePages(name) {
			out[name] = amountOf(name, q)
		}
	}
	return out
}

// limitDeclared: every container has a non-zero limit for name, or the pod
// has one at pod level.
func (s *PodSpec) limitDeclared(name string) bool {
	if s.podLevelSet() {
		if v, ok := s.Resources.Limits[name]; ok && !mustResource(v).isZero() {
			return true
		}
	}
	for _, c := range s.AllContainers() {
		if q, ok := c.limitList()[name]; !ok || q.isZero() {
			return false
		}
	}
	return true
}

// EffectiveLimit is EffectiveLimits' value for name as Kubernetes prints
// it ("4Gi"), for messages that quote it, such as the kubelet's eviction
// of a pod over its ephemeral-storage limit.
func (p *Pod) EffectiveLimit(name string) (string, bool) {
	q, ok := p.Spec.podLimits()[name]
	if !ok {
		return "", false
	}
	return q.String(), true
}

// CanonicalQuantity is a valid quantity as Kubernetes prints it back
// ("1024Mi" is "1Gi").
func CanonicalQuantity(s string) string { return mustResource(s).String() }
