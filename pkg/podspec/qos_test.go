package podspec

import (
	"maps"
	"testing"
)

// qosCases: the resource shapes of the Kubernetes documentation's QoS
// examples (qos-demo to qos-demo-4), then the edges of ComputePodQOS:
// init containers, a resource other than cpu and memory, explicit zeros,
// one of the two resources only, pod-level resources.
var qosCases = []struct {
	name        string
	ctrs, inits []m // each container's resources (nil: none)
	pod         m   // spec.resources
	want        string
}{
	{"qos-demo: cpu and memory limits equal requests", []m{{"limits": m{"cpu": "700m", "memory": "200Mi"}, "requests": m{"cpu": "700m", "memory": "200Mi"}}}, nil, nil, QOSGuaranteed},
	{"limits alone (requests default to them)", []m{{"limits": m{"cpu": "700m", "memory": "200Mi"}}}, nil, nil, QOSGuaranteed},
	{"equal in another notation", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}, "requests": m{"cpu": "1000m", "memory": "1024Mi"}}}, nil, nil, QOSGuaranteed},
	{"qos-demo-2: memory request below its limit", []m{{"limits": m{"memory": "200Mi"}, "requests": m{"memory": "100Mi"}}}, nil, nil, QOSBurstable},
	{"qos-demo-3: no resources", []m{nil}, nil, nil, QOSBestEffort},
	{"qos-demo-4: one container requests, the other nothing", []m{{"requests": m{"memory": "200Mi"}}, nil}, nil, nil, QOSBurstable},
	{"two Guaranteed containers", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}, {"limits": m{"cpu": "2", "memory": "2Gi"}}}, nil, nil, QOSGuaranteed},
	{"Guaranteed and BestEffort containers", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}, nil}, nil, nil, QOSBurstable},
	{"cpu only, request equal to limit", []m{{"limits": m{"cpu": "1"}}}, nil, nil, QOSBurstable},
	{"memory only, request equal to limit", []m{{"limits": m{"memory": "1Gi"}}}, nil, nil, QOSBurstable},
	{"requests only", []m{{"requests": m{"cpu": "1", "memory": "1Gi"}}}, nil, nil, QOSBurstable},
	{"ephemeral-storage only", []m{{"limits": m{"ephemeral-storage": "1Gi"}}}, nil, nil, QOSBestEffort},
	{"extended resource alongside Guaranteed cpu and memory", []m{{"limits": m{"cpu": "1", "memory": "1Gi", "example.com/foo": "1"}}}, nil, nil, QOSGuaranteed},
	{"explicit zeros", []m{{"limits": m{"cpu": "0", "memory": "0"}}}, nil, nil, QOSBestEffort},
	{"zero limit, non-zero request", []m{{"requests": m{"cpu": "0"}, "limits": m{"cpu": "0", "memory": "1Gi"}}}, nil, nil, QOSBurstable},
	{"empty resources", []m{{"limits": m{}, "requests": m{}}}, nil, nil, QOSBestEffort},
	{"Guaranteed app, BestEffort init", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, []m{nil}, nil, QOSBurstable},
	{"Guaranteed app and init", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, []m{{"limits": m{"cpu": "2", "memory": "64Mi"}}}, nil, QOSGuaranteed},
	{"BestEffort app, Burstable init", []m{nil}, []m{{"requests": m{"cpu": "100m"}}}, nil, QOSBurstable},
	{"pod-level limits only", []m{nil}, nil, m{"limits": m{"cpu": "1", "memory": "1Gi"}}, QOSGuaranteed},
	{"pod-level limits decide, not the containers", []m{{"requests": m{"cpu": "100m"}}}, nil, m{"limits": m{"cpu": "1", "memory": "1Gi"}}, QOSBurstable},
	{"pod-level requests only", []m{nil}, nil, m{"requests": m{"cpu": "1"}}, QOSBurstable},
	// 1.37 defaults the pod-level memory request and limit from the
	// containers, which all limit memory.
	{"pod-level cpu, memory from the containers", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, nil, m{"limits": m{"cpu": "1"}}, QOSGuaranteed},
	{"pod-level cpu, memory requested only", []m{{"requests": m{"memory": "1Gi"}}}, nil, m{"limits": m{"cpu": "1"}}, QOSBurstable},
	{"empty pod-level resources: the containers decide", []m{{"limits": m{"cpu": "1", "memory": "1Gi"}}}, nil, m{}, QOSGuaranteed},
}

func containersWith(prefix string, rs []m) l {
	out := l{}
	for i, r := range rs {
		c := m{"name": prefix + string(rune('a'+i)), "image": "busybox"}
		if r != nil {
			r = maps.Clone(r)
			if r["sidecar"] != nil { // not a resources key: makes it a native sidecar
				c["restartPolicy"] = "Always"
				delete(r, "sidecar")
			}
			c["resources"] = r
		}
		out = append(out, c)
	}
	return out
}

func TestQOSClass(t *testing.T) {
	for _, tc := range qosCases {
		t.Run(tc.name, func(t *testing.T) {
			edits := []edit{{"spec.containers", containersWith("c", tc.ctrs)}}
			if tc.inits != nil {
				edits = append(edits, edit{"spec.initContainers", containersWith("i", tc.inits)})
			}
			if tc.pod != nil {
				edits = append(edits, edit{"spec.resources", tc.pod})
			}
			if got := mustParsePod(t, podWith(edits...)).QOSClass(); got != tc.want {
				t.Errorf("QOSClass() = %s, want %s", got, tc.want)
			}
		})
	}
}
