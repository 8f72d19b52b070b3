package podspec

import (
	"maps"
	"math"
	"testing"
)

func TestContainerRequestsDefaultToLimits(t *testing.T) {
	p := mustParsePod(t, podWith(
		edit{"spec.containers[0].resources", m{"requests": m{"cpu": "100m"}, "limits": m{"cpu": "1", "memory": "64Mi"}}},
		edit{"spec.initContainers", l{m{"name": "i", "image": "x", "resources": m{"limits": m{"memory": "1Gi"}}}}},
	))
	if got := p.Spec.Containers[0].Resources.Requests; !maps.Equal(got, map[string]string{"cpu": "100m", "memory": "64Mi"}) {
		t.Errorf("app container requests = %v", got)
	}
	if got := p.Spec.InitContainers[0].Resources.Requests; !maps.Equal(got, map[string]string{"memory": "1Gi"}) {
		t.Errorf("init container requests = %v", got)
	}
}

func TestContainerAmounts(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.containers[0].resources", m{
		"requests": m{"cpu": "1u", "memory": 1000.5},
		"limits": m{"cpu": "0.25", "memory": "1.5Gi", "hugepages-2Mi": "4Mi", "example.com/foo": "2",
			"ephemeral-storage": "2G"},
	}}))
	c := &p.Spec.Containers[0]
	wantLimits := ResourceAmounts{"cpu": 250, "memory": 3 << 29, "hugepages-2Mi": 4 << 20, "example.com/foo": 2, "ephemeral-storage": 2e9}
	if got := c.Limits(); !maps.Equal(got, wantLimits) {
		t.Errorf("Limits() = %v, want %v", got, wantLimits)
	}
	// cpu 1u rounds up to 1m (SetDefaults_ResourceList), memory up to a
	// whole byte (Quantity.Value); the rest are the limits, defaulted.
	wantRequests := ResourceAmounts{"cpu": 1, "memory": 1001, "ephemeral-storage": 2e9, "hugepages-2Mi": 4 << 20, "example.com/foo": 2}
	if got := c.Requests(); !maps.Equal(got, wantRequests) {
		t.Errorf("Requests() = %v, want %v", got, wantRequests)
	}
	if got := (&Container{}).Limits(); len(got) != 0 {
		t.Errorf("no resources: Limits() = %v", got)
	}
}

// TestNullQuantityIsZero: a null quantity decodes as a zero Quantity in
// Kubernetes, so it is a limit of 0 here, not a missing one.
func TestNullQuantityIsZero(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.containers[0].resources", m{"limits": m{"cpu": nil, "memory": "1Gi"}}}))
	r := p.Spec.Containers[0].Resources
	if r.Limits["cpu"] != "0" || r.Requests["cpu"] != "0" {
		t.Errorf("cpu limit %q, request %q; want both 0", r.Limits["cpu"], r.Requests["cpu"])
	}
	if got := p.QOSClass(); got != QOSBurstable {
		t.Errorf("QOSClass() = %s, want Burstable (cpu unset, memory guaranteed)", got)
	}
}

func TestAmountsCapAtInt64(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.containers[0].resources.limits", m{"cpu": "100E", "memory": "100E"}}))
	if got := p.Spec.Containers[0].Limits(); got["cpu"] != math.MaxInt64 || got["memory"] != math.MaxInt64 {
		t.Errorf("Limits() = %v, want both at math.MaxInt64", got)
	}
}

func TestHugePageSize(t *testing.T) {
	for name, want := range map[string]int64{"hugepages-2Mi": 2 << 20, "hugepages-1Gi": 1 << 30, "hugepages-2048Ki": 2 << 20, "hugepages-64k": 64000} {
		if got, err := HugePageSize(name); err != nil || got != want {
			t.Errorf("HugePageSize(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, name := range []string{"memory", "hugepages-", "hugepages-x", "hugepages-0", "hugepages-1.5", "hugepages--2Mi"} {
		if got, err := HugePageSize(name); err == nil {
			t.Errorf("HugePageSize(%q) = %d, want an error", name, got)
		}
	}
}

// TestPodLevelDefaults: spec.resources after the API server's create-time
// defaults (Kubernetes 1.37, PodLevelResourcesFixDefaulting).
func TestPodLevelDefaults(t *testing.T) {
	ctr := func(name string, r m) m { return m{"name": name, "image": "x", "resources": r} }
	cases := []struct {
		name         string
		pod          m
		ctrs, inits  l
		wantRequests map[string]string
		wantLimits   map[string]string
	}{
		{"limits alone are the requests", m{"limits": m{"cpu": "2", "memory": "1Gi"}}, l{ctr("a", m{})}, nil,
			map[string]string{"cpu": "2", "memory": "1Gi"}, map[string]string{"cpu": "2", "memory": "1Gi"}},
		{"requests from the containers", m{"limits": m{"cpu": "2", "memory": "1Gi"}},
			l{ctr("a", m{"requests": m{"cpu": "500m"}}), ctr("b", m{"requests": m{"cpu": "700m", "memory": "100Mi"}})}, nil,
			map[string]string{"cpu": "1200m", "memory": "100Mi"}, map[string]string{"cpu": "2", "memory": "1Gi"}},
		{"an init container's request is larger", m{"limits": m{"memory": "1Gi"}},
			l{ctr("a", m{"requests": m{"memory": "100Mi"}})}, l{ctr("i", m{"requests": m{"memory": "300Mi"}})},
			map[string]string{"memory": "300Mi"}, map[string]string{"memory": "1Gi"}},
		{"limit from containers that all limit", m{"requests": m{"memory": "100Mi"}},
			l{ctr("a", m{"requests": m{"memory": "10Mi"}, "limits": m{"memory": "200Mi"}}),
				ctr("b", m{"requests": m{"memory": "10Mi"}, "limits": m{"memory": "50Mi"}})}, nil,
			map[string]string{"memory": "100Mi"}, map[string]string{"memory": "250Mi"}},
		{"limit raised to the request", m{"requests": m{"memory": "1Gi"}},
			l{ctr("a", m{"requests": m{"memory": "10Mi"}, "limits": m{"memory": "200Mi"}})}, nil,
			map[string]string{"memory": "1Gi"}, map[string]string{"memory": "1Gi"}},
		{"no limit when one container has none", m{"requests": m{"memory": "100Mi"}},
			l{ctr("a", m{"limits": m{"memory": "50Mi"}}), ctr("b", m{})}, nil,
			map[string]string{"memory": "100Mi"}, nil},
		{"hugepages limit from the containers", m{"limits": m{"memory": "1Gi"}},
			l{ctr("a", m{"limits": m{"hugepages-2Mi": "4Mi", "memory": "100Mi"}})}, nil,
			map[string]string{"memory": "100Mi", "hugepages-2Mi": "4Mi"}, map[string]string{"memory": "1Gi", "hugepages-2Mi": "4Mi"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			edits := []edit{{"spec.resources", tc.pod}, {"spec.containers", tc.ctrs}}
			if tc.inits != nil {
				edits = append(edits, edit{"spec.initContainers", tc.inits})
			}
			p := mustParsePod(t, podWith(edits...))
			if got := p.Spec.Resources.Requests; !maps.Equal(got, tc.wantRequests) {
				t.Errorf("requests = %v, want %v", got, tc.wantRequests)
			}
			if got := p.Spec.Resources.Limits; !maps.Equal(got, tc.wantLimits) {
				t.Errorf("limits = %v, want %v", got, tc.wantLimits)
			}
		})
	}
}

func TestNoPodLevelResourcesNoDefaults(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.resources", m{}}, edit{"spec.containers[0].resources.limits", m{"cpu": "1"}}))
	if r := p.Spec.Resources; len(r.Requests) != 0 || len(r.Limits) != 0 {
		t.Errorf("empty spec.resources was filled in: %+v", r)
	}
}
