package test

import (
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestSubPathExpr: a volumeMount's subPathExpr is expanded from the
// container's environment (the downward API's pod name here, and a
// literal variable), the directory is made inside the volume with the
// volume's mode (a container running as user 1000 writes in its own), and
// another container mounting the whole volume sees what was written
// there.
func TestSubPathExpr(t *testing.T) {
	root(t)
	name := podName("subpathexpr")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: logs, emptyDir: {}}]
  containers:
  - name: writer
    image: busybox
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - {name: KIND, value: app}
    command: ["sh", "-c", "echo hello > /logs/hello.txt; trap 'exit 0' TERM; sleep 3600 & wait"]
    volumeMounts:
    - {name: logs, mountPath: /logs, subPathExpr: "$(KIND)/$(POD_NAME)"}
  - name: user
    image: busybox
    securityContext: {runAsUser: 1000}
    env: [{name: WHO, value: user1000}]
    command: ["sh", "-c", "echo mine > /mine/file && { trap 'exit 0' TERM; sleep 3600 & wait; }"]
    volumeMounts: [{name: logs, mountPath: /mine, subPathExpr: "$(WHO)"}]
  - name: reader
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    volumeMounts: [{name: logs, mountPath: /all}]
`, name))
	for file, content := range map[string]string{"/all/app/" + name + "/hello.txt": "hello\n", "/all/user1000/file": "mine\n"} {
		waitFor(t, 10*time.Second, file, func() bool {
			r := mp(t, "exec", name, "-c", "reader", "--", "cat", file)
			return r.code == 0 && r.stdout == content
		})
	}
	// The directories made for the subPaths have the emptyDir's mode, so
	// a container that is not root writes in its own (as on a kubelet).
	if got := execOut(t, name, "reader", "stat", "-c", "%a", "/all/user1000"); got != "777\n" {
		t.Errorf("mode of the made subPath directory: %q, want the emptyDir's 777", got)
	}
	if s := ctrStatus(t, getPod(t, name), "user"); s.RestartCount != 0 {
		t.Errorf("the non-root writer restarted %d times: it could not write in its subPath", s.RestartCount)
	}
}

// TestSubPathExprHostile: what a subPathExpr expands to is checked before
// anything is mounted, as the kubelet checks it: a variable whose value
// climbs out of the volume ("..", from an annotation the manifest controls), an
// absolute one, or a missing one leaves the container waiting in
// CreateContainerConfigError, never started, with the kubelet's message.
func TestSubPathExprHostile(t *testing.T) {
	root(t)
	name := podName("subpathbad")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  annotations: {up: ".."}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: v, emptyDir: {}}]
  containers:
  - name: climb
    image: busybox
    env:
    - name: UP
      valueFrom: {fieldRef: {fieldPath: "metadata.annotations['up']"}}
    command: ["sh", "-c", "sleep 3600"]
    volumeMounts: [{name: v, mountPath: /v, subPathExpr: "$(UP)/$(UP)/etc"}]
  - name: absolute
    image: busybox
    env: [{name: ROOT, value: /etc}]
    command: ["sh", "-c", "sleep 3600"]
    volumeMounts: [{name: v, mountPath: /v, subPathExpr: "$(ROOT)"}]
  - name: missing
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    volumeMounts: [{name: v, mountPath: /v, subPathExpr: "$(NOPE)"}]
`, name), runOpts{env: []string{}})
	if r.code == 0 || !strings.Contains(r.stderr, "CreateContainerConfigError") {
		t.Errorf("up -d: %s\nwant it to fail, naming the config error", r)
	}
	p := waitPod(t, name, 20*time.Second, "the three containers' config errors", func(p *corev1.Pod) bool {
		for _, c := range []string{"climb", "absolute", "missing"} {
			if w := ctrStatus(t, p, c).State.Waiting; w == nil || w.Reason != "CreateContainerConfigError" {
				return false
			}
		}
		return true
	})
	for c, want := range map[string]string{
		"climb":    "unable to provision SubPath `../../etc`: must not contain '..'",
		"absolute": "error SubPath `/etc` must not be an absolute path",
		"missing":  "missing value for NOPE",
	} {
		s := ctrStatus(t, p, c)
		if !strings.Contains(s.State.Waiting.Message, want) || s.RestartCount != 0 || s.LastTerminationState.Terminated != nil {
			t.Errorf("%s: %+v; want waiting with %q, never started", c, s.State.Waiting, want)
		}
	}
}

// TestK8sDocsSubPathExpr (the Volumes page's pod1): the container's
// /logs is the node's /var/log/pods/pod1, named by its pod's name through
// the downward API, and what it appends there is on the node.
func TestK8sDocsSubPathExpr(t *testing.T) {
	root(t)
	const onNode = "/var/log/pods/pod1"
	_ = os.RemoveAll(onNode) // an earlier run that crashed may have left it
	name := mustUpDoc(t, "concepts/storage/subpathexpr-pod1.yaml")
	// Cleanups run last first: this one, before the leak check's.
	t.Cleanup(func() {
		mp(t, "down", "--ignore-not-found", "--grace-period", "0", name)
		if err := os.RemoveAll(onNode); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, 20*time.Second, onNode+"/hello.txt on the node", func() bool {
		b, err := os.ReadFile(onNode + "/hello.txt")
		return err == nil && strings.HasPrefix(string(b), "Hello\n")
	})
}
