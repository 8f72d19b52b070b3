package podspec

import "testing"

// The downward API's resource values as the kubelet computes them: divided
// by the divisor, rounded up; an unset limit is the node's allocatable.
func TestResourceFieldValue(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.containers", l{
		m{"name": "a", "image": "busybox", "resources": m{"requests": m{"cpu": "125m", "memory": "32Mi"}, "limits": m{"cpu": "250m", "memory": "64Mi"}}},
		m{"name": "b", "image": "busybox"},
	}}))
	alloc := ResourceAmounts{ResourceCPU: 2000, ResourceMemory: 8 << 30, ResourceEphemeralStorage: 100 << 30}
	a, b := &p.Spec.Containers[0], &p.Spec.Containers[1]
	for _, tc := range []struct {
		c    *Container
		ref  ResourceFieldSelector
		want string
	}{
		{a, ResourceFieldSelector{Resource: "requests.cpu"}, "1"},
		{a, ResourceFieldSelector{Resource: "limits.cpu", Divisor: "1m"}, "250"},
		{a, ResourceFieldSelector{Resource: "requests.memory"}, "33554432"},
		{a, ResourceFieldSelector{Resource: "limits.memory", Divisor: "1Mi"}, "64"},
		{b, ResourceFieldSelector{Resource: "limits.cpu"}, "2"},
		{b, ResourceFieldSelector{Resource: "limits.memory", Divisor: "1Gi"}, "8"},
		{b, ResourceFieldSelector{Resource: "requests.cpu"}, "0"},
		{b, ResourceFieldSelector{Resource: "limits.cpu", ContainerName: "a", Divisor: "1m"}, "250"},
	} {
		if got, err := ResourceFieldValue(p, tc.c, &tc.ref, alloc); err != nil || got != tc.want {
			t.Errorf("%s %+v = %q, %v; want %s", tc.c.Name, tc.ref, got, err, tc.want)
		}
	}
}

func TestResourceFieldRefErrors(t *testing.T) {
	const p = "spec.containers[0].env[0].valueFrom.resourceFieldRef"
	ref := func(r m) edit {
		return edit{"spec.containers[0].env", l{m{"name": "A", "valueFrom": m{"resourceFieldRef": r}}}}
	}
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{ref(m{"resource": "limits.gpu"}), p + `.resource: Unsupported value: "limits.gpu"`},
		{ref(m{"resource": "limits.cpu", "divisor": "10m"}), p + `.divisor: Unsupported value: "10m": supported values: "1m", "1"`},
		{ref(m{"resource": "limits.memory", "divisor": "3"}), p + `.divisor: Unsupported value: "3"`},
		{ref(m{"resource": "limits.cpu", "containerName": "nope"}), p + `.containerName: Invalid value: "nope"`},
		{ref(m{}), p + ".resource: Required value"},
	} {
		expectError(t, podWith(tc.edit), tc.want)
	}
	mustParsePod(t, podWith(ref(m{"resource": "limits.cpu", "divisor": "1000m"})))
}
