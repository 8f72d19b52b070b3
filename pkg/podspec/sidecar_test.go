package podspec

import "testing"

// The API server's rules for a container's restartPolicy: one of the
// pod's three values, on any container (Always on an init container makes
// it a native sidecar).
func TestSidecarRestartPolicyErrors(t *testing.T) {
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{edit{"spec.containers[0].restartPolicy", "Sometimes"}, `spec.containers[0].restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`},
		{edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "restartPolicy": "Sometimes"}}}, `spec.initContainers[0].restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`},
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

// The API server's stopSignal rules: a named operating system, a known
// signal; and minipod's: a linux pod only.
func TestStopSignalErrors(t *testing.T) {
	for _, tc := range []struct {
		edits []edit
		want  string
	}{
		{[]edit{{"spec.containers[0].lifecycle", m{"stopSignal": "SIGUSR1"}}}, "spec.containers[0].lifecycle.stopSignal: Forbidden: may not be set for containers with empty `spec.os.name`"},
		{[]edit{{"spec.os", m{"name": "linux"}}, {"spec.containers[0].lifecycle", m{"stopSignal": "USR1"}}}, `spec.containers[0].lifecycle.stopSignal: Unsupported value: "USR1": supported values: "SIGABRT"`},
		{[]edit{{"spec.os", m{"name": "windows"}}}, "spec.os.name: not supported: this node runs Linux"},
		{[]edit{{"spec.os", m{"name": "plan9"}}}, `spec.os.name: Unsupported value: "plan9": supported values: "linux", "windows"`},
	} {
		expectError(t, podWith(tc.edits...), tc.want)
	}
	p := mustParsePod(t, podWith(edit{"spec.os", m{"name": "linux"}}, edit{"spec.containers[0].lifecycle", m{"stopSignal": "SIGRTMAX-14"}}))
	if sig, err := ParseSignal(*p.Spec.Containers[0].Lifecycle.StopSignal); err != nil || sig != 50 {
		t.Errorf("SIGRTMAX-14 = %d, %v", sig, err)
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]int{"SIGQUIT": 3, "QUIT": 3, "quit": 3, "3": 3, "SIGRTMIN+1": 35, "SIGCLD": 17} {
		if got, err := ParseSignal(in); err != nil || int(got) != want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := ParseSignal("SIGNOPE"); err == nil {
		t.Error("SIGNOPE parsed")
	}
	if SignalName(6) != "SIGABRT" || SignalName(15) != "SIGTERM" {
		t.Errorf("SignalName: %s %s", SignalName(6), SignalName(15))
	}
}
