package test

import (
	"strings"
	"testing"
)

// TestWaitAndJSONPath: `wait --for=condition=Ready` returns once the
// readiness probe passes (kubectl's "condition met"), --for=jsonpath
// compares a field, --for=delete returns once the pod is gone, a timeout
// fails naming the pod; get -o jsonpath prints fields as kubectl does.
func TestWaitAndJSONPath(t *testing.T) {
	root(t)
	name := podName("wait")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; `+idle+`"]
    readinessProbe:
      exec: {command: ["test", "-e", "/tmp/ready"]}
      periodSeconds: 1
  - name: never
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
`, name))
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", name) })
	mustMP(t, "up", "-d", "--wait-ready=false", path)
	if out := mustMP(t, "wait", name, "--for=condition=Ready", "--timeout=30s"); out != "pod/"+name+" condition met\n" {
		t.Errorf("wait Ready: %q", out)
	}
	if out := mustMP(t, "wait", name, "--for=jsonpath={.status.phase}=Running", "--timeout=5s"); !strings.Contains(out, "condition met") {
		t.Errorf("wait jsonpath: %q", out)
	}
	if out := mustMP(t, "get", name, "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].ready}"); out != "Running true" {
		t.Errorf("get -o jsonpath: %q", out)
	}
	r := mp(t, "wait", name, "--for=jsonpath={.status.phase}=Succeeded", "--timeout=1s")
	if r.code == 0 || !strings.Contains(r.stderr, "timed out waiting for the condition on pods/"+name) {
		t.Errorf("wait timeout: %s", r)
	}
	if r := mp(t, "wait", name, "--for=ready"); r.code == 0 || !strings.Contains(r.stderr, "--for must be") {
		t.Errorf("bad --for: %s", r)
	}
	mustMP(t, "down", name)
	if out := mustMP(t, "wait", name, "--for=delete", "--timeout=5s"); out != "pod/"+name+" deleted\n" {
		t.Errorf("wait delete: %q", out)
	}
}
