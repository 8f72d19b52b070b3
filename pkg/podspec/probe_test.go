package podspec

import "testing"

// Probes are defaulted as the API server defaults them; a named port stays
// a name.
func TestProbeDefaults(t *testing.T) {
	man, _ := mustParse(t, podWith(
		edit{"spec.containers[0].readinessProbe", m{"httpGet": m{"port": "http"}}},
		edit{"spec.containers[0].livenessProbe", m{"tcpSocket": m{"port": 8080}, "periodSeconds": 3}},
	))
	c := man.Pods[0].Spec.Containers[0]
	r := c.ReadinessProbe
	if r.TimeoutSeconds != 1 || r.PeriodSeconds != 10 || r.SuccessThreshold != 1 || r.FailureThreshold != 3 ||
		r.HTTPGet.Path != "/" || r.HTTPGet.Scheme != "HTTP" || !r.HTTPGet.Port.IsString || r.HTTPGet.Port.Str != "http" {
		t.Errorf("readiness probe defaults: %+v %+v", r, r.HTTPGet)
	}
	if l := c.LivenessProbe; l.PeriodSeconds != 3 || l.TCPSocket.Port.IsString || l.TCPSocket.Port.Int != 8080 {
		t.Errorf("liveness probe: %+v", l)
	}
}

// The API server's probe errors, with their field paths.
func TestProbeErrors(t *testing.T) {
	const p = "spec.containers[0]."
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{edit{p + "livenessProbe", m{}}, p + "livenessProbe: Required value: must specify a handler type"},
		{edit{p + "livenessProbe", m{"exec": m{"command": l{"true"}}, "tcpSocket": m{"port": 1}}}, p + "livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"},
		{edit{p + "livenessProbe", m{"exec": m{}}}, p + "livenessProbe.exec.command: Required value"},
		{edit{p + "livenessProbe", m{"exec": m{"command": l{"true"}}, "successThreshold": 2}}, p + "livenessProbe.successThreshold: Invalid value: 2: must be 1"},
		{edit{p + "startupProbe", m{"exec": m{"command": l{"true"}}, "successThreshold": 3}}, p + "startupProbe.successThreshold: Invalid value: 3: must be 1"},
		{edit{p + "readinessProbe", m{"exec": m{"command": l{"true"}}, "terminationGracePeriodSeconds": 5}}, p + "readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"},
		{edit{p + "livenessProbe", m{"exec": m{"command": l{"true"}}, "terminationGracePeriodSeconds": 0}}, p + "livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"},
		{edit{p + "readinessProbe", m{"exec": m{"command": l{"true"}}, "periodSeconds": -1}}, p + "readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"},
		{edit{p + "readinessProbe", m{"httpGet": m{"port": 70000}}}, p + "readinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive"},
		{edit{p + "readinessProbe", m{"httpGet": m{"port": "Not_A_Name"}}}, p + `readinessProbe.httpGet.port: Invalid value: "Not_A_Name"`},
		{edit{p + "readinessProbe", m{"httpGet": m{"port": 80, "scheme": "FTP"}}}, p + `readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"`},
		{edit{p + "readinessProbe", m{"httpGet": m{"port": 80, "httpHeaders": l{m{"name": "Bad Header", "value": "x"}}}}}, p + `readinessProbe.httpGet.httpHeaders[0].name: Invalid value: "Bad Header"`},
		{edit{p + "readinessProbe", m{"httpGet": m{"port": true}}}, p + "readinessProbe.httpGet.port: Invalid type"},
		{edit{p + "livenessProbe", m{"grpc": m{"port": 0}}}, p + "livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive"},
		{edit{p + "livenessProbe", m{"grpc": m{"port": "grpc"}}}, p + "livenessProbe.grpc.port: Invalid type"},
		{edit{p + "livenessProbe", m{"grpc": m{"port": 1, "mode": "SSL"}}}, p + `livenessProbe.grpc.mode: Unsupported value: "SSL": supported values: "Plaintext", "TLS"`},
		{edit{p + "livenessProbe", m{"tcpSocket": m{"port": 1}, "grpc": m{"port": 2}}}, p + "livenessProbe.grpc: Forbidden: may not specify more than 1 handler type"},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "readinessProbe": m{"exec": m{"command": l{"true"}}}}}}, "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"},
	} {
		expectError(t, podWith(tc.edit), tc.want)
	}
}

// The API server's lifecycle hook errors.
func TestLifecycleErrors(t *testing.T) {
	const p = "spec.containers[0].lifecycle."
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{edit{"spec.containers[0].lifecycle", m{"preStop": m{}}}, p + "preStop: Required value: must specify a handler type"},
		{edit{"spec.containers[0].lifecycle", m{"postStart": m{"exec": m{"command": l{"true"}}, "sleep": m{"seconds": 1}}}}, p + "postStart.sleep: Forbidden: may not specify more than 1 handler type"},
		{edit{"spec.containers[0].lifecycle", m{"preStop": m{"sleep": m{"seconds": 31}}}}, p + "preStop.sleep.seconds: Invalid value: 31: must be non-negative and less than terminationGracePeriodSeconds (30)"},
		{edit{"spec.containers[0].lifecycle", m{"preStop": m{"httpGet": m{"port": 0}}}}, p + "preStop.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "lifecycle": m{"preStop": m{"sleep": m{"seconds": 1}}}}}}, "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"},
	} {
		expectError(t, podWith(tc.edit), tc.want)
	}
	man, _ := mustParse(t, podWith(edit{"spec.containers[0].lifecycle", m{"preStop": m{"httpGet": m{"port": 80}}, "postStart": m{"sleep": m{"seconds": 0}}}}))
	if h := man.Pods[0].Spec.Containers[0].Lifecycle.PreStop.HTTPGet; h.Path != "/" || h.Scheme != "HTTP" {
		t.Errorf("preStop httpGet defaults: %+v", h)
	}
}
