package test

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ---- Attach Handlers to Container Lifecycle Events
// https://kubernetes.io/docs/tasks/configure-pod-container/attach-handler-lifecycle-event/

// TestK8sDocsLifecycleEvents (lifecycle-events.yaml): the postStart
// handler wrote /usr/share/message, which the page reads with exec.
func TestK8sDocsLifecycleEvents(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/lifecycle-events.yaml")
	if got := execOut(t, name, "lifecycle-demo-container", "cat", "/usr/share/message"); got != "Hello from the postStart handler\n" {
		t.Errorf("/usr/share/message: %q", got)
	}
}

// TestLifecycleHooks: a postStart hook runs before the container counts as
// running and before the next container starts (an httpGet one reaching
// the pod from inside it); a container killed for its liveness probe runs
// its preStop hook before SIGTERM; on delete a sleep preStop holds the
// stop, within the grace period.
func TestLifecycleHooks(t *testing.T) {
	root(t)
	name := podName("hooks")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 10
  volumes: [{name: shared, emptyDir: {}}]
  containers:
  - name: first
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "trap 'echo term >> /shared/log; exit 0' TERM; while true; do sleep 1; done"]
    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "sleep 1; echo poststart >> /shared/log"]}
      preStop:
        exec: {command: ["sh", "-c", "echo prestop >> /shared/log"]}
    livenessProbe:
      exec: {command: ["sh", "-c", "test ! -e /shared/kill"]}
      periodSeconds: 1
      failureThreshold: 1
  - name: second
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "echo second >> /shared/log; mkdir /w; echo hi > /w/ok; httpd -p 8080 -h /w; trap 'exit 0' TERM; while true; do sleep 1; done"]
    lifecycle:
      preStop:
        sleep: {seconds: 2}
  - name: third
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    lifecycle:
      postStart:
        httpGet: {port: 8080, path: /ok}
`, name))
	if got := execOut(t, name, "second", "cat", "/shared/log"); got != "poststart\nsecond\n" {
		t.Errorf("log after up: %q, want the postStart hook done before the second container started", got)
	}
	execOut(t, name, "second", "touch", "/shared/kill")
	waitPod(t, name, 30*time.Second, "first restarted", func(p *corev1.Pod) bool { return ctrStatus(t, p, "first").RestartCount >= 1 })
	execOut(t, name, "second", "rm", "/shared/kill")
	if got := execOut(t, name, "second", "cat", "/shared/log"); !strings.HasPrefix(got, "poststart\nsecond\nprestop\nterm\n") {
		t.Errorf("log after the liveness kill: %q, want prestop before term", got)
	}
	start := time.Now()
	mustMP(t, "down", name)
	if d := time.Since(start); d < 2*time.Second || d > 9*time.Second {
		t.Errorf("down took %v: want the 2 s preStop sleep, then SIGTERM (not the 10 s grace period)", d)
	}
}

// TestPostStartFailure: a failing postStart hook kills the container
// (FailedPostStartHook, the kubelet's message) and it restarts by its
// restartPolicy.
func TestPostStartFailure(t *testing.T) {
	root(t)
	name := podName("poststart-fail")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo no way; exit 3"]}
`, name))
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", name) })
	mp(t, "up", "-d", path) // it fails: the container keeps being killed
	waitPod(t, name, 40*time.Second, "a restart", func(p *corev1.Pod) bool { return ctrStatus(t, p, "c").RestartCount >= 1 })
	d := mustMP(t, "describe", name)
	want := `Warning\s+FailedPostStartHook\s.*Exec lifecycle hook \(\[sh -c echo no way; exit 3\]\) for Container "c" in Pod "` + name + `_default\(.*\)" failed - error: no way`
	if !regexp.MustCompile(want).MatchString(d) {
		t.Errorf("describe lacks %q:\n%s", want, d)
	}
}

// TestPauseDeath: when the pause process dies the pod is failed
// (SandboxExited), its containers stopped; the pod, its logs and events
// stay until down, which then leaves nothing.
func TestPauseDeath(t *testing.T) {
	root(t)
	name := podName("pause-death")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo hello; `+idle+`"]
`, name))
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st.Pause.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, name, 20*time.Second, "failed", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodFailed && ctrStatus(t, p, "c").State.Terminated != nil
	})
	if p.Status.Reason != "SandboxExited" {
		t.Errorf("reason %q, want SandboxExited", p.Status.Reason)
	}
	time.Sleep(time.Second) // a deleted pod would be gone by now
	if got := mustMP(t, "logs", name); got != "hello\n" {
		t.Errorf("logs after the pause died: %q", got)
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "SandboxChanged") {
		t.Errorf("describe lacks SandboxChanged:\n%s", d)
	}
}
