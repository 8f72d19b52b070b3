package podspec

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestOutputDecodesIntoK8s: what `get -o json` prints (a parsed pod plus a
// status) must be a valid v1 Pod to Kubernetes' own types.
func TestOutputDecodesIntoK8s(t *testing.T) {
	m, _ := mustParse(t, []byte(fullManifest))
	pod := m.Pods[0]
	pod.CreationTimestamp = "2024-05-01T10:00:00Z"
	started := true
	pod.Status = &PodStatus{
		Phase:      "Running",
		Conditions: []PodCondition{{Type: "Ready", Status: "True", LastTransitionTime: "2024-05-01T10:00:01Z"}},
		HostIP:     "192.168.1.2", HostIPs: []HostIP{{IP: "192.168.1.2"}},
		PodIP: "10.0.0.5", PodIPs: []PodIP{{IP: "10.0.0.5"}},
		StartTime: "2024-05-01T10:00:00Z",
		InitContainerStatuses: []ContainerStatus{{Name: "setup", Image: "busybox:1.36", ImageID: "sha256:1",
			State: ContainerState{Terminated: &ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
				StartedAt: "2024-05-01T10:00:00Z", FinishedAt: "2024-05-01T10:00:01Z"}}}},
		ContainerStatuses: []ContainerStatus{{Name: "app", Ready: true, RestartCount: 2, Image: "app", ImageID: "sha256:2",
			ContainerID: "minipod://abc", Started: &started,
			State:     ContainerState{Running: &ContainerStateRunning{StartedAt: "2024-05-01T10:00:02Z"}},
			LastState: ContainerState{Terminated: &ContainerStateTerminated{ExitCode: 137, Signal: 9, Reason: "Error"}}}},
	}
	out, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	var k8s corev1.Pod
	if err := yaml.UnmarshalStrict(out, &k8s); err != nil {
		t.Fatalf("k8s.io/api rejects our output: %v\n%s", err, out)
	}
	if k8s.Status.ContainerStatuses[0].RestartCount != 2 || k8s.Spec.SecurityContext == nil {
		t.Errorf("round trip lost data: %+v", k8s.Status)
	}
}

// TestOutputParsesAgain: a printed pod (status aside) is itself a manifest.
func TestOutputParsesAgain(t *testing.T) {
	m, _ := mustParse(t, []byte(fullManifest))
	out, err := json.Marshal(m.Pods[0])
	if err != nil {
		t.Fatal(err)
	}
	cm, _ := json.Marshal(m.ConfigMaps["settings"])
	again := mustParsePod(t, append(append(cm, "\n---\n"...), out...))
	if again.UID != m.Pods[0].UID {
		t.Errorf("uid changed: %q vs %q", again.UID, m.Pods[0].UID)
	}
}
