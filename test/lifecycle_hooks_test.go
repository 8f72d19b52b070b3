package test

import (
	"net/http"
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

// TestPauseDeath: when the pause process of a restartPolicy Never pod
// dies, the pod is failed (SandboxExited), its containers stopped; the
// pod, its logs and events stay until down, which then leaves nothing.
// (Pause lives on as the holder of a shared PID namespace; otherwise it
// hands the namespaces to the monitor and exits.)
func TestPauseDeath(t *testing.T) {
	root(t)
	name := podName("pause-death")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  shareProcessNamespace: true
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo hello; `+idle+`"]
`, name))
	// Pause's death kills every process of its PID namespace at once.
	waitFor(t, 10*time.Second, "hello in the logs", func() bool { return mp(t, "logs", name).stdout == "hello\n" })
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

// TestSandboxRecreated: when the pause process of a pod that restarts its
// containers dies, the node kills the containers and makes a new sandbox:
// a new pause with new namespaces and address, init containers run again,
// every container counts a restart, and the pod works as before (exec, its
// address from the node). down then leaves nothing.
func TestSandboxRecreated(t *testing.T) {
	root(t)
	name := podName("sandbox")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: init
    image: busybox
    command: ["sh", "-c", "echo init ran"]
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir /w; echo hi > /w/index.html; exec httpd -f -p 8080 -h /w"]
`, name))
	oldIP := getPod(t, name).Status.PodIP
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st.Pause.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, name, 20*time.Second, "re-created", func(p *corev1.Pod) bool {
		s := ctrStatus(t, p, "web")
		return s.RestartCount == 1 && s.State.Running != nil && p.Status.Phase == corev1.PodRunning
	})
	if s := ctrStatus(t, p, "init"); s.RestartCount != 1 || s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 {
		t.Errorf("init after the new sandbox: %+v, want run again", s)
	}
	after, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	if after.Pause.PID == st.Pause.PID || after.Pause.PID == 0 {
		t.Errorf("pause %d, before %d: no new sandbox", after.Pause.PID, st.Pause.PID)
	}
	t.Logf("address %s, then %s", oldIP, p.Status.PodIP)
	d := mustMP(t, "describe", name)
	if !strings.Contains(d, "Pod sandbox changed, it will be killed and re-created.") {
		t.Errorf("describe lacks SandboxChanged:\n%s", d)
	}
	if got := execOut(t, name, "web", "cat", "/w/index.html"); got != "hi\n" {
		t.Errorf("exec after the new sandbox: %q", got)
	}
	waitFor(t, 10*time.Second, "the pod's new address to answer", func() bool {
		c := http.Client{Timeout: time.Second}
		resp, err := c.Get("http://" + p.Status.PodIP + ":8080/index.html")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// TestAttackKillThePause: a container of a pod sharing its PID namespace
// kills the pause process (its PID 1) over and over. Each death costs a
// new sandbox, but sandboxes that keep dying are re-created with the crash
// back-off (at once, then 10 s later, ...), never in a tight loop; down
// still deletes the pod at once, leaving nothing.
func TestAttackKillThePause(t *testing.T) {
	root(t)
	name := podName("atk-pause")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: killer
    image: busybox
    command: ["sh", "-c", "sleep 1; kill -TERM 1; sleep 3600"]
`, name))
	count := func(d, s string) int { return strings.Count(d, s) }
	waitFor(t, 20*time.Second, "the second sandbox death", func() bool {
		return count(mustMP(t, "describe", name), "Pod sandbox changed") >= 2
	})
	time.Sleep(4 * time.Second) // within the 10 s back-off
	d := mustMP(t, "describe", name)
	if n := count(d, "AddedInterface"); n != 2 {
		t.Errorf("%d sandboxes within seconds of two deaths, want 2 (the first, one re-created at once):\n%s", n, d)
	}
	start := time.Now()
	mustMP(t, "down", name)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("down during the sandbox back-off took %v", el)
	}
}
