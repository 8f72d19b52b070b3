package podspec

import (
	"slices"
	"strings"
	"testing"
)

const envManifest = `
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {A: from-one, B: from-one, C: from-one}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two}
data: {B: from-two}
---
apiVersion: v1
kind: Pod
metadata:
  name: envpod
  uid: 7d3f0c4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f
  labels: {app: web}
  annotations: {note: hi}
spec:
  serviceAccountName: robot
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef: {name: one}
    - configMapRef: {name: two}
    - configMapRef: {name: one}
      prefix: P_
    - configMapRef: {name: missing, optional: true}
    env:
    - {name: C, value: from-env}
    - {name: GREETING, value: "hello $(A)"}
    - {name: FORWARD, value: "$(LATER)"}
    - {name: LATER, value: later}
    - {name: ESCAPED, value: "$$(A)"}
    - {name: FROM_IMAGE, value: "$(PATH):/x"}
    - {name: PATH, value: /override}
    - {name: EMPTY}
    - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: NOLABEL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['none']"}}}
    - {name: NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['note']"}}}
    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: KEY, valueFrom: {configMapKeyRef: {name: two, key: B}}}
    - {name: OPTKEY, valueFrom: {configMapKeyRef: {name: two, key: nope, optional: true}}}
    - {name: OPTMAP, valueFrom: {configMapKeyRef: {name: missing, key: x, optional: true}}}
`

func TestResolveEnv(t *testing.T) {
	m, _ := mustParse(t, []byte(envManifest))
	pod := m.Pods[0]
	image := []string{"PATH=/usr/bin:/bin", "HOME=/root", "A=image"}
	got, err := resolveEnv(m, pod, &pod.Spec.Containers[0], image, EnvSources{PodIP: "10.0.0.5", HostIP: "192.168.1.2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		// image order, overridden in place
		"PATH=/override", "HOME=/root", "A=from-one",
		// envFrom: one, then two (B overridden), then prefixed one
		"B=from-two", "C=from-env", "P_A=from-one", "P_B=from-one", "P_C=from-one",
		// env, in order
		"GREETING=hello from-one", "FORWARD=$(LATER)", "LATER=later", "ESCAPED=$(A)",
		"FROM_IMAGE=$(PATH):/x", "EMPTY=",
		"NAME=envpod", "NS=default", "UID=7d3f0c4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f", "APP=web", "NOLABEL=", "NOTE=hi", "SA=robot",
		"POD_IP=10.0.0.5", "POD_IPS=10.0.0.5", "HOST_IP=192.168.1.2", "KEY=from-two",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ResolveEnv:\n got %q\nwant %q", got, want)
	}
}

func TestResolveEnvMissingReferences(t *testing.T) {
	m := NewManifest()
	m.ConfigMaps["cm"] = &ConfigMap{ObjectMeta: ObjectMeta{Name: "cm", Namespace: "default"}, Data: map[string]string{"k": "v"}}
	m.Secrets["s"] = &Secret{ObjectMeta: ObjectMeta{Name: "s", Namespace: "default"}, Data: map[string][]byte{"k": []byte("v")}}
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "p", Namespace: "default"}}
	cases := map[string]Container{
		`configmap "nope" not found`: {Name: "c", EnvFrom: []EnvFromSource{{ConfigMapRef: &ConfigMapEnvSource{Name: "nope"}}}},
		`couldn't find key x in ConfigMap default/cm`: {Name: "c", Env: []EnvVar{{Name: "A", ValueFrom: &EnvVarSource{
			ConfigMapKeyRef: &ConfigMapKeySelector{Name: "cm", Key: "x"}}}}},
		`secret "nope" not found`: {Name: "c", EnvFrom: []EnvFromSource{{SecretRef: &SecretEnvSource{Name: "nope"}}}},
		`couldn't find key x in Secret default/s`: {Name: "c", Env: []EnvVar{{Name: "A", ValueFrom: &EnvVarSource{
			SecretKeyRef: &SecretKeySelector{Name: "s", Key: "x"}}}}},
		`unsupported fieldRef path`: {Name: "c", Env: []EnvVar{{Name: "A", ValueFrom: &EnvVarSource{
			FieldRef: &ObjectFieldSelector{FieldPath: "spec.hostname"}}}}},
	}
	for want, c := range cases {
		_, err := resolveEnv(m, pod, &c, nil, EnvSources{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want error containing %q", err, want)
		}
	}
}

// resolveEnv is the container's whole environment, as the monitor makes
// it: DeclaredEnv laid over the image's.
func resolveEnv(m Objects, pod *Pod, c *Container, imageEnv []string, src EnvSources) ([]string, error) {
	declared, err := DeclaredEnv(m, pod, c, src)
	if err != nil {
		return nil, err
	}
	return MergeImageEnv(imageEnv, declared), nil
}
