package podspec

import "testing"

// The API server's rules for a container's restartPolicy: Always on an
// init container (a native sidecar), nothing else anywhere.
func TestSidecarRestartPolicyErrors(t *testing.T) {
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{edit{"spec.containers[0].restartPolicy", "Always"}, "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "restartPolicy": "Never"}}}, `spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"`},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "restartPolicy": "OnFailure"}}}, `spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "restartPolicy": "Always",
			"livenessProbe": m{"exec": m{"command": l{"true"}}, "successThreshold": 2}}}}, "spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "restartPolicy": "Always",
			"lifecycle": m{"preStop": m{"sleep": m{"seconds": 31}}}}}}, "spec.initContainers[0].lifecycle.preStop.sleep.seconds: Invalid value: 31"},
	} {
		expectError(t, podWith(tc.edit), tc.want)
	}
}

// A sidecar may have probes and hooks, which a plain init container may not.
func TestSidecarAccepted(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.initContainers", l{m{"name": "side", "image": "busybox", "restartPolicy": "Always",
		"startupProbe":   m{"exec": m{"command": l{"true"}}},
		"readinessProbe": m{"tcpSocket": m{"port": 80}},
		"livenessProbe":  m{"httpGet": m{"port": 80}},
		"lifecycle":      m{"postStart": m{"exec": m{"command": l{"true"}}}, "preStop": m{"sleep": m{"seconds": 1}}},
	}}}))
	if !p.Spec.InitContainers[0].IsSidecar() || p.Spec.Containers[0].IsSidecar() {
		t.Errorf("IsSidecar: init %v, app %v", p.Spec.InitContainers[0].IsSidecar(), p.Spec.Containers[0].IsSidecar())
	}
}
