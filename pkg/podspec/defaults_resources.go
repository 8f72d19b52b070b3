package podspec

// defaultContainerRequests: a resource with a limit and no request gets
// the limit as its request (SetDefaults_Pod).
func defaultContainerRequests(c *Container) {
	r := c.Resources
	if r == nil || r.Limits == nil {
		return
	}
	if r.Requests == nil {
		r.Requests = map[string]string{}
	}
	for name, lim := range r.Limits {
		if _, ok := r.Requests[name]; !ok {
			r.Requests[name] = lim
		}
	}
}

// defaultPodLevelResources fills in spec.resources as the API server does
// on create in Kubernetes 1.37 (pkg/api/pod DefaultPodLevelResources, with
// PodLevelResourcesFixDefaulting on), after the containers' own defaults.
// It runs only when spec.resources sets something.
func defaultPodLevelResources(s *PodSpec) {
	r := s.Resources
	if r == nil || len(r.Requests) == 0 && len(r.Limits) == 0 {
		return
	}
	defaultPodHugePageLimits(s)
	defaultPodRequests(s)
	defaultPodLimits(s)
}

// defaultPodHugePageLimits: a hugepages size that containers limit and the
// pod neither requests nor limits gets the containers' aggregate limit.
func defaultPodHugePageLimits(s *PodSpec) {
	r := s.Resources
	for name, q := range aggregate(s, (*Container).limitList) {
		_, requested := r.Requests[name]
		_, limited := r.Limits[name]
		if isHugePages(name) && !requested && !limited {
			r.Limits = setQuantity(r.Limits, name, q)
		}
	}
}

// defaultPodRequests: an unset pod-level cpu or memory request is the
// containers' aggregate request when they request it; any other unset
// pod-level request (hugepages, or none from the containers) is the
// pod-level limit.
func defaultPodRequests(s *PodSpec) {
	r := s.Resources
	for name, q := range aggregate(s, (*Container).requestList) {
		if _, ok := r.Requests[name]; !ok && isPodLevelResource(name) && isOvercommitAllowed(name) {
			r.Requests = setQuantity(r.Requests, name, q)
		}
	}
	for name, lim := range r.Limits {
		if _, ok := r.Requests[name]; !ok && isPodLevelResource(name) {
			r.Requests = setQuantity(r.Requests, name, mustResource(lim))
		}
	}
}

// defaultPodLimits: a pod-level request without a pod-level limit gets a
// limit when every container limits that resource: their aggregate limit,
// raised to the request if the request is larger.
func defaultPodLimits(s *PodSpec) {
	r := s.Resources
	var candidates []string
	for name := range r.Requests {
		if _, ok := r.Limits[name]; !ok && isPodLevelResource(name) && allContainersLimit(s, name) {
			candidates = append(candidates, name)
		}
	}
	if len(candidates) == 0 {
		return
	}
	aggr := aggregate(s, (*Container).limitList)
	for _, name := range candidates {
		lim := aggr[name]
		if req := mustResource(r.Requests[name]); req.cmp(lim) > 0 {
			lim = req
		}
		r.Limits = setQuantity(r.Limits, name, lim)
	}
}

func allContainersLimit(s *PodSpec, name string) bool {
	for _, c := range s.AllContainers() {
		if c.Resources == nil {
			return false
		}
		if _, ok := c.Resources.Limits[name]; !ok {
			return false
		}
	}
	return true
}

// setQuantity stores q in m (allocating it), as Kubernetes would print it.
func setQuantity(m map[string]string, name string, q resQuantity) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[name] = q.String()
	return m
}
