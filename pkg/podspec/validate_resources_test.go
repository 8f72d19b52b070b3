package podspec

import (
	"strings"
	"testing"
)

// res sets container 0's requests and limits (nil leaves one out).
func res(requests, limits m) []byte {
	r := m{}
	if requests != nil {
		r["requests"] = requests
	}
	if limits != nil {
		r["limits"] = limits
	}
	return podWith(edit{"spec.containers[0].resources", r})
}

// podRes sets spec.resources and container 0's resources.
func podRes(pod, ctr m) []byte {
	return podWith(edit{"spec.resources", pod}, edit{"spec.containers[0].resources", ctr})
}

const rp = "spec.containers[0].resources"

// resourceErrorCases: each rule of validateResourceRequirements and
// validatePodResources, with the API server's path and wording.
var resourceErrorCases = []struct {
	name string
	data []byte
	want []string // every line of the error, in order
}{
	{"request above limit", res(m{"cpu": "2"}, m{"cpu": "1"}),
		l2(rp + `.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`)},
	{"request above limit, canonical quantities", res(m{"memory": "2048Mi"}, m{"memory": "1.5Gi"}),
		l2(rp + `.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1536Mi`)},
	{"quantities rounded to thousandths first", res(m{"cpu": "1.0001"}, m{"cpu": "1"}),
		l2(rp + `.requests: Invalid value: "1001m": must be less than or equal to cpu limit of 1`)},
	{"negative limit", res(nil, m{"memory": "-1Mi"}),
		l2(rp+`.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`,
			rp+`.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`)},
	{"negative request", res(m{"cpu": "-100m"}, nil),
		l2(rp + `.requests[cpu]: Invalid value: "-100m": must be greater than or equal to 0`)},
	{"unknown resource", res(m{"gpus": "1"}, nil),
		l2(rp+`.requests[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified`,
			rp+`.requests[gpus]: Invalid value: "gpus": must be a standard resource for containers`)},
	{"storage is not for containers", res(m{"storage": "1Gi"}, nil),
		l2(rp + `.requests[storage]: Invalid value: "storage": must be a standard resource for containers`)},
	{"pods is not for containers, and whole", res(m{"pods": "1.5"}, nil),
		l2(rp+`.requests[pods]: Invalid value: "pods": must be a standard resource for containers`,
			rp+`.requests[pods]: Invalid value: "1500m": must be an integer`)},
	{"bad qualified name", res(nil, m{"example.com/a b": "1"}),
		l2(rp+`.limits[example.com/a b]: Invalid value: "example.com/a b": name part must consist of alphanumeric characters`,
			rp+`.limits[example.com/a b]: Invalid value: "example.com/a b": doesn't follow extended resource name standard`,
			rp+`.requests[example.com/a b]: Invalid value: "example.com/a b": name part must consist of alphanumeric characters`,
			rp+`.requests[example.com/a b]: Invalid value: "example.com/a b": doesn't follow extended resource name standard`)},
	{"extended name in the quota namespace", res(nil, m{"requests.example.com/foo": "1"}),
		l2(rp+`.limits[requests.example.com/foo]: Invalid value: "requests.example.com/foo": doesn't follow extended resource name standard`,
			rp+`.requests[requests.example.com/foo]: Invalid value: "requests.example.com/foo": doesn't follow extended resource name standard`)},
	{"extended fraction", res(nil, m{"example.com/foo": "500m"}),
		l2(rp+`.limits[example.com/foo]: Invalid value: "500m": must be an integer`,
			rp+`.requests[example.com/foo]: Invalid value: "500m": must be an integer`)},
	{"extended request without limit", res(m{"example.com/foo": "1"}, nil),
		l2(rp + `.limits: Required value: Limit must be set for non overcommitable resources`)},
	{"extended request below limit", res(m{"example.com/foo": "1"}, m{"example.com/foo": "2"}),
		l2(rp + `.requests: Invalid value: "1": must be equal to example.com/foo limit of 2`)},
	{"hugepages request without limit", res(m{"hugepages-2Mi": "2Mi", "memory": "1Gi"}, nil),
		l2(rp + `.limits: Required value: Limit must be set for non overcommitable resources`)},
	{"hugepages request not the limit", res(m{"hugepages-2Mi": "2Mi", "memory": "1Gi"}, m{"hugepages-2Mi": "4Mi", "memory": "1Gi"}),
		l2(rp + `.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi`)},
	{"hugepages not whole pages", res(m{"memory": "1Gi"}, m{"hugepages-2Mi": "3Mi"}),
		l2(rp+`.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`,
			rp+`.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`)},
	{"hugepages of no size", res(m{"memory": "1Gi"}, m{"hugepages-huge": "2Mi"}),
		l2(rp+`.limits[hugepages-huge]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-huge`,
			rp+`.requests[hugepages-huge]: Invalid value: "2Mi": 2Mi is not positive integer multiple of hugepages-huge`)},
	{"hugepages alone", res(nil, m{"hugepages-1Gi": "1Gi", "ephemeral-storage": "1Gi"}),
		l2(rp + `: Forbidden: HugePages require cpu or memory`)},
	{"init container", podWith(edit{"spec.initContainers", l{m{"name": "i", "image": "x", "resources": m{"requests": m{"cpu": "2"}, "limits": m{"cpu": "1"}}}}}),
		l2(`spec.initContainers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`)},
	{"claims", podWith(edit{rp + ".claims", l{m{"name": "gpu"}}}), l2(rp + ".claims: not supported")},
	// Pod-level resources.
	// Pod-level defaults copy only supported limits to requests.
	{"pod-level ephemeral-storage", podRes(m{"limits": m{"ephemeral-storage": "1Gi"}}, m{}),
		l2(`spec.resources.limits[ephemeral-storage]: Unsupported value: "ephemeral-storage": supported values: "cpu", "hugepages-", "memory"`)},
	{"pod-level extended", podRes(m{"requests": m{"example.com/foo": "1"}, "limits": m{"example.com/foo": "1"}}, m{}),
		l2(`spec.resources.limits[example.com/foo]: Unsupported value: "example.com/foo": supported values: "cpu", "hugepages-", "memory"`,
			`spec.resources.requests[example.com/foo]: Unsupported value: "example.com/foo": supported values: "cpu", "hugepages-", "memory"`)},
	{"pod-level request above limit", podRes(m{"requests": m{"memory": "2Gi"}, "limits": m{"memory": "1Gi"}}, m{}),
		l2(`spec.resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi`)},
	{"pod request below containers'", podRes(m{"requests": m{"cpu": "1"}}, m{"requests": m{"cpu": "1500m"}}),
		l2(`spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate container requests of 1500m`)},
	// The container's request defaults to its limit, the pod's request to
	// the containers' requests: above the pod's limit.
	{"container limit above pod's", podRes(m{"limits": m{"memory": "1Gi"}}, m{"limits": m{"memory": "2Gi"}}),
		l2(`spec.resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi`,
			`spec.resources.containers[0][memory].limits: Invalid value: "2Gi": must be less than or equal to pod limits of 1Gi`)},
	{"container limit above pod's, requests set", podRes(m{"requests": m{"memory": "100Mi"}, "limits": m{"memory": "1Gi"}},
		m{"requests": m{"memory": "100Mi"}, "limits": m{"memory": "2Gi"}}),
		l2(`spec.resources.containers[0][memory].limits: Invalid value: "2Gi": must be less than or equal to pod limits of 1Gi`)},
	{"pod hugepages below containers'", podRes(m{"limits": m{"hugepages-2Mi": "2Mi", "memory": "1Gi"}},
		m{"limits": m{"hugepages-2Mi": "4Mi", "memory": "100Mi"}}),
		l2(`spec.resources.requests[hugepages-2Mi]: Invalid value: "2Mi": must be greater than or equal to aggregate container requests of 4Mi`,
			`spec.resources.limits[hugepages-2Mi]: Invalid value: "2Mi": must be greater than or equal to aggregate container limits of 4Mi`,
			`spec.resources.containers[0][hugepages-2Mi].limits: Invalid value: "4Mi": must be less than or equal to pod limits of 2Mi`)},
	// resizePolicy: accepted (with a warning), but validated.
	{"resize resource", podWith(edit{"spec.containers[0].resizePolicy", l{m{"resourceName": "gpu", "restartPolicy": "NotRequired"}}}),
		l2(`spec.containers[0].resizePolicy: Unsupported value: "gpu": supported values: "cpu", "memory"`)},
	{"resize duplicate", podWith(edit{"spec.containers[0].resizePolicy", l{m{"resourceName": "cpu", "restartPolicy": "NotRequired"}, m{"resourceName": "cpu", "restartPolicy": "NotRequired"}}}),
		l2(`spec.containers[0].resizePolicy[1]: Duplicate value: "cpu"`)},
	{"resize policy", podWith(edit{"spec.containers[0].resizePolicy", l{m{"resourceName": "cpu", "restartPolicy": "Now"}}}),
		l2(`spec.containers[0].resizePolicy: Unsupported value: "Now": supported values: "NotRequired", "RestartContainer"`)},
	{"resize missing", podWith(edit{"spec.containers[0].resizePolicy", l{m{}}}),
		l2(`spec.containers[0].resizePolicy: Required value`, `spec.containers[0].resizePolicy: Required value`)},
	{"resize with restartPolicy Never", podWith(edit{"spec.restartPolicy", "Never"}, edit{"spec.containers[0].resizePolicy", l{m{"resourceName": "memory", "restartPolicy": "RestartContainer"}}}),
		l2("spec.containers[0].resizePolicy: Invalid value: \"RestartContainer\": must be 'NotRequired' when pod `restartPolicy` is 'Never'")},
	{"resize restart in init container", podWith(edit{"spec.initContainers", l{m{"name": "i", "image": "x", "resizePolicy": l{m{"resourceName": "cpu", "restartPolicy": "RestartContainer"}}}}}),
		l2(`spec.initContainers[0].resizePolicy[0].restartPolicy: Invalid value: "RestartContainer": must not be set to 'RestartContainer' for non-sidecar initContainers`)},
}

func l2(lines ...string) []string { return lines }

func TestResourceErrors(t *testing.T) {
	for _, tc := range resourceErrorCases {
		t.Run(tc.name, func(t *testing.T) { expectErrorLines(t, tc.data, tc.want) })
	}
}

// expectErrorLines: Parse fails with exactly these errors (each line starts
// with the given text), in this order.
func expectErrorLines(t *testing.T, data []byte, want []string) {
	t.Helper()
	_, _, err := Parse(data)
	if err == nil {
		t.Fatalf("Parse accepted, want:\n%s\ninput: %s", strings.Join(want, "\n"), data)
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors:\n%v\nwant %d:\n%s", len(got), err, len(want), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}
