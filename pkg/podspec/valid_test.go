package podspec

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// fullManifest exercises most implemented fields at once.
const fullManifest = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team-a
immutable: true
data:
  LEVEL: debug
  app.properties: |
    a=1
binaryData:
  blob.bin: aGVsbG8=
---
apiVersion: v1
kind: Pod
metadata:
  name: web.example
  namespace: team-a
  uid: 0b7c1e2a-1111-4222-8333-444455556666
  labels: {app: web, example.com/tier: front}
  annotations: {note: "anything goes here: even spaces"}
spec:
  hostname: web
  subdomain: svc
  shareProcessNamespace: true
  enableServiceLinks: false
  terminationGracePeriodSeconds: 5
  restartPolicy: OnFailure
  dnsPolicy: Default
  securityContext: {}
  hostNetwork: false
  hostUsers: true
  volumes:
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  - name: disk
    emptyDir: {sizeLimit: 1000}
  - name: nosource
  - name: conf
    configMap:
      name: settings
      defaultMode: 0400
      items:
      - {key: app.properties, path: conf/app.properties, mode: 0600}
  - name: maybe
    configMap: {name: absent, optional: true}
  initContainers:
  - name: setup
    image: busybox:1.36
    command: [sh, -c, "echo $(GREETING) > /work/hello"]
    env: [{name: GREETING, value: hi}]
    volumeMounts: [{name: scratch, mountPath: /work}]
  containers:
  - name: app
    image: registry.example.com:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    imagePullPolicy: IfNotPresent
    workingDir: /srv
    args: ["--level=$(LEVEL)", "$$(NOT_EXPANDED)"]
    ports:
    - {name: http, containerPort: 8080}
    - {containerPort: 5353, protocol: UDP, hostIP: 127.0.0.1}
    envFrom:
    - configMapRef: {name: settings}
      prefix: CFG_
    - configMapRef: {name: absent, optional: true}
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: TIER, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: "metadata.labels['example.com/tier']"}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: LEVEL, valueFrom: {configMapKeyRef: {name: settings, key: LEVEL}}}
    - {name: OPT, valueFrom: {configMapKeyRef: {name: absent, key: x, optional: true}}}
    - {name: "weird.name-1", value: "x"}
    resources:
      requests: {cpu: 100m, memory: 64Mi}
    terminationMessagePath: /tmp/term
    terminationMessagePolicy: FallbackToLogsOnError
    securityContext: {}
    volumeMounts:
    - {name: conf, mountPath: /etc/app, readOnly: true, recursiveReadOnly: IfPossible}
    - {name: conf, mountPath: /etc/app.properties, subPath: conf/app.properties}
    - {name: scratch, mountPath: /scratch, mountPropagation: None}
    - {name: disk, mountPath: /disk}
    - {name: nosource, mountPath: /nosource}
    - {name: maybe, mountPath: /maybe}
`

// validCases are manifests that must parse; the fidelity test also decodes
// each one strictly into k8s.io/api.
func validCases(t *testing.T) map[string][]byte {
	cases := map[string][]byte{
		"minimal": podWith(),
		"full":    []byte(fullManifest),
		"scheduling": podWith(
			edit{"spec.nodeSelector", map[string]any{"disk": "ssd"}},
			edit{"spec.tolerations", []any{map[string]any{"key": "k", "operator": "Exists", "effect": "NoSchedule"}}},
			edit{"spec.affinity", map[string]any{"nodeAffinity": map[string]any{}}},
			edit{"spec.schedulerName", "default-scheduler"},
			edit{"spec.priorityClassName", "high"},
			edit{"spec.serviceAccountName", "robot"},
			edit{"spec.automountServiceAccountToken", false},
			edit{"spec.imagePullSecrets", []any{map[string]any{"name": "regcred"}}},
			edit{"spec.topologySpreadConstraints", []any{map[string]any{
				"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}}},
		),
		"status ignored": podWith(edit{"status", map[string]any{"phase": "Running"}}),
		"numbers at their limits": podWith(
			edit{"spec.terminationGracePeriodSeconds", int64(math.MaxInt64)},
			edit{"spec.containers[0].ports", l{m{"containerPort": 65535, "hostPort": 65535}, m{"containerPort": 1, "hostPort": 1}}},
			edit{"spec.volumes", l{
				m{"name": "big", "emptyDir": m{"sizeLimit": "100E"}},
				m{"name": "cm", "configMap": m{"name": "x", "optional": true, "defaultMode": 0o777, "items": l{m{"key": "k", "path": "p", "mode": 0}}}},
			}},
			edit{"spec.tolerations", l{m{"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": int64(math.MaxInt64)}}},
			edit{"spec.topologySpreadConstraints", l{m{"maxSkew": 1, "minDomains": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}}},
			edit{"spec.priority", math.MaxInt32},
			edit{"spec.overhead", m{"memory": "0"}},
		),
		"security": podWith(
			edit{"spec.securityContext", m{"seccompProfile": m{"type": "RuntimeDefault"}}},
			edit{"spec.containers[0].securityContext", m{"seccompProfile": m{"type": "Unconfined"}, "allowPrivilegeEscalation": false}},
			edit{"spec.initContainers", l{m{"name": "i", "image": "busybox", "securityContext": m{
				"seccompProfile": m{"type": "Localhost", "localhostProfile": "profiles/audit.json"}, "allowPrivilegeEscalation": true}}}},
		),
		"uppercase uid": podWith(edit{"metadata.uid", "0B7C1E2A-1111-4222-8333-444455556666"}),
		"yaml anchors and comments": []byte(`
# a comment
apiVersion: v1
kind: Pod
metadata: {name: anchors}
spec:
  containers:
  - {name: a, image: &img busybox, command: &cmd [sleep, "1"]}
  - {name: b, image: *img, command: *cmd}
---
# empty document above and below
---
`),
	}
	maps.Copy(cases, acceptedEdgeCases())
	for _, f := range []string{"mc1.yaml", "mc2.yaml", "mc3.yaml",
		"resources.yaml", "guaranteed.yaml", "pod-level.yaml", "hardened.yaml", "privileged.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		cases[f] = data
	}
	return cases
}

func TestValidManifestsParse(t *testing.T) {
	for name, data := range validCases(t) {
		t.Run(name, func(t *testing.T) { mustParse(t, data) })
	}
}

func TestSeedPods(t *testing.T) {
	cases := validCases(t)
	mc1 := mustParsePod(t, cases["mc1.yaml"])
	if got := mc1.Spec.Containers[1].Args[0]; got != "while true; do date >> /html/index.html; sleep 1; done" {
		t.Errorf("mc1 args folded to %q", got)
	}
	if mc1.Spec.Volumes[0].EmptyDir == nil {
		t.Error("mc1 html volume is not an emptyDir")
	}
	mc2 := mustParsePod(t, cases["mc2.yaml"])
	if mc2.Spec.RestartPolicy != "Never" || mc2.Spec.Containers[1].Command[1] != "-consumer" {
		t.Errorf("mc2 decoded wrong: %+v", mc2.Spec)
	}
	m, _ := mustParse(t, cases["mc3.yaml"])
	cm := m.ConfigMaps["mc3-nginx-conf"]
	if cm == nil || cm.Data["nginx.conf"] == "" {
		t.Fatal("mc3 ConfigMap missing")
	}
	mc3 := m.Pods[0]
	if mc3.Labels["app"] != "mc3" || mc3.Spec.Containers[1].VolumeMounts[0].SubPath != "nginx.conf" {
		t.Errorf("mc3 decoded wrong: %+v", mc3)
	}
	if mode := *mc3.Spec.Volumes[0].ConfigMap.DefaultMode; mode != 0o644 {
		t.Errorf("mc3 defaultMode = %o, want 644", mode)
	}
}

// TestMergeKeys: kubectl converts YAML to JSON non-strictly, so a merge key
// overridden by an explicit key is fine there, and must be here. (Strict
// yaml.v2, as in the fidelity test, calls it a duplicate, so it is tested
// on its own.)
func TestMergeKeys(t *testing.T) {
	p := mustParsePod(t, []byte(`
apiVersion: v1
kind: Pod
metadata: {name: merge}
spec:
  containers:
  - &c {name: a, image: busybox, command: [sleep, "1"]}
  - {<<: *c, name: b}
`))
	if c := p.Spec.Containers[1]; c.Name != "b" || c.Image != "busybox" || c.Command[0] != "sleep" {
		t.Errorf("merge not applied: %+v", c)
	}
}
