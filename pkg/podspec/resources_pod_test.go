package podspec

import (
	"maps"
	"testing"
)

// effectiveCases: the pod's requests and limits from its containers
// (init containers run alone, so per resource a pod needs the larger of
// its largest init container and the sum of its app containers), and what
// its cgroup is limited to.
var effectiveCases = []struct {
	name                     string
	ctrs, inits              []m
	pod                      m
	requests, limits, cgroup ResourceAmounts
}{
	{"no resources", []m{nil}, nil, nil, ResourceAmounts{}, ResourceAmounts{}, ResourceAmounts{}},
	{"sum of app containers",
		[]m{{"requests": m{"cpu": "100m", "memory": "64Mi"}, "limits": m{"cpu": "1", "memory": "128Mi"}},
			{"requests": m{"cpu": "200m", "memory": "32Mi"}, "limits": m{"cpu": "500m", "memory": "64Mi"}}}, nil, nil,
		ResourceAmounts{"cpu": 300, "memory": 96 << 20},
		ResourceAmounts{"cpu": 1500, "memory": 192 << 20},
		ResourceAmounts{"cpu": 1500, "memory": 192 << 20}},
	{"init container larger than the sum",
		[]m{{"requests": m{"cpu": "100m", "memory": "64Mi"}}, {"requests": m{"cpu": "100m", "memory": "64Mi"}}},
		[]m{{"requests": m{"cpu": "150m", "memory": "512Mi"}}, {"requests": m{"cpu": "50m", "memory": "1Gi"}}}, nil,
		ResourceAmounts{"cpu": 200, "memory": 1 << 30}, ResourceAmounts{}, ResourceAmounts{}},
	{"a container without a limit: no pod cgroup limit for it",
		[]m{{"limits": m{"cpu": "1", "memory": "1Gi"}}, {"requests": m{"cpu": "100m"}, "limits": m{"memory": "1Gi"}}}, nil, nil,
		ResourceAmounts{"cpu": 1100, "memory": 2 << 30},
		ResourceAmounts{"cpu": 1000, "memory": 2 << 30},
		ResourceAmounts{"memory": 2 << 30}},
	{"init containers count for the cgroup limit too",
		[]m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, []m{{"limits": m{"memory": "2Gi"}}}, nil,
		ResourceAmounts{"cpu": 1000, "memory": 2 << 30},
		ResourceAmounts{"cpu": 1000, "memory": 2 << 30},
		ResourceAmounts{"memory": 2 << 30}},
	{"hugepages and extended resources",
		[]m{{"limits": m{"memory": "1Gi", "hugepages-2Mi": "8Mi", "example.com/foo": "2", "ephemeral-storage": "1Gi"}}}, nil, nil,
		ResourceAmounts{"memory": 1 << 30, "hugepages-2Mi": 8 << 20, "example.com/foo": 2, "ephemeral-storage": 1 << 30},
		ResourceAmounts{"memory": 1 << 30, "hugepages-2Mi": 8 << 20, "example.com/foo": 2, "ephemeral-storage": 1 << 30},
		ResourceAmounts{"memory": 1 << 30, "hugepages-2Mi": 8 << 20}},
	{"pod-level resources replace the aggregate",
		[]m{{"requests": m{"cpu": "100m", "memory": "10Mi"}}, nil}, nil,
		m{"requests": m{"cpu": "500m"}, "limits": m{"cpu": "2", "memory": "200Mi"}},
		ResourceAmounts{"cpu": 500, "memory": 10 << 20},
		ResourceAmounts{"cpu": 2000, "memory": 200 << 20},
		ResourceAmounts{"cpu": 2000, "memory": 200 << 20}},
	// The Kubernetes PodRequests rule for native sidecars: they add to the
	// app containers' sum, and an init container after one runs beside it.
	{"sidecars add to the sum",
		[]m{{"requests": m{"cpu": "100m", "memory": "64Mi"}}},
		[]m{{"sidecar": true, "requests": m{"cpu": "50m", "memory": "32Mi"}}}, nil,
		ResourceAmounts{"cpu": 150, "memory": 96 << 20}, ResourceAmounts{}, ResourceAmounts{}},
	{"an init container after a sidecar runs beside it",
		[]m{{"requests": m{"cpu": "100m", "memory": "64Mi"}}},
		[]m{{"requests": m{"memory": "1Gi"}}, {"sidecar": true, "requests": m{"cpu": "50m", "memory": "32Mi"}},
			{"requests": m{"cpu": "500m", "memory": "512Mi"}}}, nil,
		ResourceAmounts{"cpu": 550, "memory": 1 << 30}, ResourceAmounts{}, ResourceAmounts{}},
	{"sidecar limits count for the cgroup",
		[]m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, []m{{"sidecar": true, "limits": m{"cpu": "500m", "memory": "256Mi"}}}, nil,
		ResourceAmounts{"cpu": 1500, "memory": 1280 << 20},
		ResourceAmounts{"cpu": 1500, "memory": 1280 << 20},
		ResourceAmounts{"cpu": 1500, "memory": 1280 << 20}},
	{"zero cpu limits do not limit",
		[]m{{"limits": m{"cpu": "0", "memory": "1Gi"}, "requests": m{"memory": "10Mi"}}}, nil, nil,
		ResourceAmounts{"cpu": 0, "memory": 10 << 20},
		ResourceAmounts{"cpu": 0, "memory": 1 << 30},
		ResourceAmounts{"memory": 1 << 30}},
}

func TestEffectiveResources(t *testing.T) {
	for _, tc := range effectiveCases {
		t.Run(tc.name, func(t *testing.T) {
			edits := []edit{{"spec.containers", containersWith("c", tc.ctrs)}}
			if tc.inits != nil {
				edits = append(edits, edit{"spec.initContainers", containersWith("i", tc.inits)})
			}
			if tc.pod != nil {
				edits = append(edits, edit{"spec.resources", tc.pod})
			}
			p := mustParsePod(t, podWith(edits...))
			if got := p.EffectiveRequests(); !maps.Equal(got, tc.requests) {
				t.Errorf("EffectiveRequests() = %v, want %v", got, tc.requests)
			}
			if got := p.EffectiveLimits(); !maps.Equal(got, tc.limits) {
				t.Errorf("EffectiveLimits() = %v, want %v", got, tc.limits)
			}
			if got := p.CgroupLimits(); !maps.Equal(got, tc.cgroup) {
				t.Errorf("CgroupLimits() = %v, want %v", got, tc.cgroup)
			}
		})
	}
}

// TestAggregateIsExact: amounts are summed as quantities, then rounded
// once, as Kubernetes sums them.
func TestAggregateIsExact(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.containers", containersWith("c", []m{
		{"limits": m{"memory": "0.5"}}, {"limits": m{"memory": "0.5"}}, {"limits": m{"memory": "0.5"}},
	})}))
	if got := p.EffectiveLimits()["memory"]; got != 2 {
		t.Errorf("three 0.5-byte limits = %d bytes, want 2 (1.5 rounded up once)", got)
	}
}
