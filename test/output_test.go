package test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestGetYAML: get -o yaml is the same v1 Pod as get -o json, as kubectl
// prints it, and decodes strictly as one.
func TestGetYAML(t *testing.T) {
	root(t)
	name := podName("yaml")
	upPod(t, name, tmpl(twoIdle, name, "SHARE", "false"))
	var fromYAML corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(mustMP(t, "get", name, "-o", "yaml")), &fromYAML); err != nil {
		t.Fatal(err)
	}
	fromJSON := getPod(t, name)
	if fromYAML.Name != name || fromYAML.UID != fromJSON.UID || fromYAML.Status.Phase != corev1.PodRunning ||
		len(fromYAML.Status.ContainerStatuses) != len(fromJSON.Status.ContainerStatuses) || fromYAML.Status.PodIP != fromJSON.Status.PodIP {
		t.Errorf("yaml %+v\njson %+v", fromYAML.Status, fromJSON.Status)
	}
	if r := mp(t, "get", name, "-o", "xml"); r.code == 0 {
		t.Errorf("get -o xml: %s", r)
	}
}
