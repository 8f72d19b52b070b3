package test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ---- Pod Lifecycle: individual container restart policy and rules
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restart-rules
// (container restart rules: beta and on by default since Kubernetes 1.35)

// TestK8sDocsOnFailurePod (on-failure-pod): in an OnFailure pod, the
// container whose own restartPolicy is Never runs once: it exits 1 after
// 10 s and stays terminated, while the other keeps running. kubectl shows
// the pod Running in its phase and "Error" (the first container's reason)
// in the STATUS column, 1/2 ready.
func TestK8sDocsOnFailurePod(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "concepts/workloads/pods/on-failure-pod.yaml")
	p := waitPod(t, name, 60*time.Second, "try-once-container's exit", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, "try-once-container").State.Terminated != nil
	})
	// A restart would come at once (the first has no back-off): give it
	// the time it would take, then look again.
	time.Sleep(3 * time.Second)
	p = getPod(t, name)
	once := ctrStatus(t, p, "try-once-container")
	if term := once.State.Terminated; term == nil || term.ExitCode != 1 || term.Reason != "Error" || once.RestartCount != 0 {
		t.Errorf("try-once-container: %+v, restarts %d; want terminated Error, exit 1, no restart", once.State, once.RestartCount)
	}
	if other := ctrStatus(t, p, "on-failure-container"); other.State.Running == nil || other.RestartCount != 0 {
		t.Errorf("on-failure-container: %+v, restarts %d; want running", other.State, other.RestartCount)
	}
	if p.Status.Phase != corev1.PodRunning {
		t.Errorf("phase %s, want Running", p.Status.Phase)
	}
	if row := getRow(t, name); row["STATUS"] != "Error" || row["READY"] != "1/2" {
		t.Errorf("get: %v, want 1/2 Error", row)
	}
}

// TestK8sDocsFailPodIfInitFails (fail-pod-if-init-fails): in an Always
// pod, an init container whose own restartPolicy is Never is not tried
// again: its failure fails the pod, and the app container never starts.
func TestK8sDocsFailPodIfInitFails(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "concepts/workloads/pods/fail-pod-if-init-fails.yaml", 90*time.Second)
	if timedOut || r.code == 0 || !strings.Contains(r.stderr, "Init:Error") {
		t.Fatalf("up (timed out: %v): %s\nwant it to fail with the pod's Init:Error", timedOut, r)
	}
	p := getPod(t, name)
	if p.Status.Phase != corev1.PodFailed {
		t.Errorf("phase %s, want Failed", p.Status.Phase)
	}
	if s := ctrStatus(t, p, "init-once"); s.State.Terminated == nil || s.State.Terminated.ExitCode != 1 || s.RestartCount != 0 {
		t.Errorf("init-once: %+v, restarts %d; want terminated, exit 1, no restart", s.State, s.RestartCount)
	}
	if s := ctrStatus(t, p, "main-container"); s.State.Running != nil || s.State.Terminated != nil || s.RestartCount != 0 {
		t.Errorf("main-container: %+v; it must never have started", s.State)
	}
	if st := status(t, name); st != "Init:Error" {
		t.Errorf("STATUS %q, want Init:Error", st)
	}
}

// TestK8sDocsRestartOnExitCodes (restart-on-exit-codes): the container
// would be restarted only on exit code 42; it sleeps 60 s and exits 0, so
// it is not, and the Never pod succeeds.
func TestK8sDocsRestartOnExitCodes(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "concepts/workloads/pods/restart-on-exit-codes.yaml")
	p := waitPod(t, name, 120*time.Second, "the pod's end", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	})
	s := ctrStatus(t, p, "restart-on-exit-codes")
	if p.Status.Phase != corev1.PodSucceeded || s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 || s.RestartCount != 0 {
		t.Errorf("phase %s, container %+v, restarts %d; want Succeeded, exit 0, no restart", p.Status.Phase, s.State, s.RestartCount)
	}
}

// TestRestartRules: the first matching rule decides, else the container's
// own policy, whatever the pod's. In an Always pod, "rule" exits 42 (a
// rule restarts it), then 0 (no rule matches; its own Never keeps it
// down); "once" exits 3 and its own Never keeps it down; "notin" exits 0,
// which its NotIn rule does not match. With every app container done for
// good, the sidecar is stopped and the pod fails (one exited 3), as the
// kubelet ends such a pod.
func TestRestartRules(t *testing.T) {
	root(t)
	name := podName("rules")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 2
  volumes: [{name: marks, emptyDir: {}}]
  initContainers:
  - name: side
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  containers:
  - name: rule
    image: busybox
    volumeMounts: [{name: marks, mountPath: /marks}]
    command: ["sh", "-c", "if [ -e /marks/ran ]; then sleep 1; exit 0; fi; touch /marks/ran; sleep 1; exit 42"]
    restartPolicy: Never
    restartPolicyRules:
    - {action: Restart, exitCodes: {operator: In, values: [42]}}
  - name: once
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 3"]
    restartPolicy: Never
  - name: notin
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 0"]
    restartPolicy: Never
    restartPolicyRules:
    - {action: Restart, exitCodes: {operator: NotIn, values: [0]}}
`, name))
	p := waitPod(t, name, 60*time.Second, "the pod's end", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded
	})
	if p.Status.Phase != corev1.PodFailed {
		t.Errorf("phase %s, want Failed (\"once\" exited 3 and is not restarted)", p.Status.Phase)
	}
	for _, want := range []struct {
		ctr            string
		code, restarts int32
	}{{"rule", 0, 1}, {"once", 3, 0}, {"notin", 0, 0}} {
		s := ctrStatus(t, p, want.ctr)
		if s.State.Terminated == nil || s.State.Terminated.ExitCode != want.code || s.RestartCount != want.restarts {
			t.Errorf("%s: %+v, restarts %d; want terminated with %d after %d restarts", want.ctr, s.State, s.RestartCount, want.code, want.restarts)
		}
	}
	if last := ctrStatus(t, p, "rule").LastTerminationState.Terminated; last == nil || last.ExitCode != 42 {
		t.Errorf("rule's last state %+v, want its exit 42", last)
	}
	if s := ctrStatus(t, p, "side"); s.State.Terminated == nil {
		t.Errorf("sidecar %+v: want it stopped once the app containers are done", s.State)
	}
}

// TestInitRestartPolicyOnFailure: an init container's own OnFailure
// retries it in a Never pod, and the pod goes on once it succeeds.
func TestInitRestartPolicyOnFailure(t *testing.T) {
	root(t)
	name := podName("initretry")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  volumes: [{name: marks, emptyDir: {}}]
  initContainers:
  - name: retry
    image: busybox
    restartPolicy: OnFailure
    volumeMounts: [{name: marks, mountPath: /marks}]
    command: ["sh", "-c", "if [ -e /marks/ran ]; then exit 0; fi; touch /marks/ran; exit 1"]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`, name))
	p := getPod(t, name)
	if s := ctrStatus(t, p, "retry"); s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 || s.RestartCount != 1 {
		t.Errorf("retry: %+v, restarts %d; want done after one restart", s.State, s.RestartCount)
	}
	if s := ctrStatus(t, p, "app"); s.State.Running == nil {
		t.Errorf("app: %+v, want running", s.State)
	}
}

// TestRestartRulesBackOff: a rule restarts with the crash back-off like
// any restart, so a manifest cannot make a container that always exits
// with a matching code restart in a tight loop.
func TestRestartRulesBackOff(t *testing.T) {
	root(t)
	name := podName("rulesbackoff")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  containers:
  - name: loop
    image: busybox
    command: ["sh", "-c", "sleep 0.3; exit 42"]
    restartPolicy: Never
    restartPolicyRules:
    - {action: Restart, exitCodes: {operator: In, values: [42]}}
`, name))
	p := waitPod(t, name, 30*time.Second, "the back-off", func(p *corev1.Pod) bool {
		w := ctrStatus(t, p, "loop").State.Waiting
		return w != nil && w.Reason == "CrashLoopBackOff"
	})
	s := ctrStatus(t, p, "loop")
	if !strings.Contains(s.State.Waiting.Message, "back-off 10s") || s.RestartCount != 1 {
		t.Errorf("loop: %+v, restarts %d; want the first back-off (10s) after one restart", s.State.Waiting, s.RestartCount)
	}
	// Three seconds later it is still backing off: no tight loop.
	time.Sleep(3 * time.Second)
	if s := ctrStatus(t, getPod(t, name), "loop"); s.RestartCount != 1 {
		t.Errorf("restarts %d three seconds into a 10 s back-off", s.RestartCount)
	}
	if p.Status.Phase != corev1.PodRunning {
		t.Errorf("phase %s, want Running while the container will be restarted", p.Status.Phase)
	}
}

// TestRestartPolicyProbeKill: a liveness probe's kill restarts the
// container by its restart policy alone, as the kubelet decides it:
// "onfail" (its own OnFailure) exits 0 on SIGTERM and is restarted all
// the same; "never" (its own Never, in an Always pod) is not, and its
// Killing event does not say it will be. The probes wait two seconds: a
// SIGTERM that came before the shell set its trap would be ignored (the
// shell is its PID namespace's init) and end in SIGKILL.
func TestRestartPolicyProbeKill(t *testing.T) {
	root(t)
	name := podName("probekill")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 2
  containers:
  - name: onfail
    image: busybox
    restartPolicy: OnFailure
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    livenessProbe: {exec: {command: ["false"]}, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 1}
  - name: never
    image: busybox
    restartPolicy: Never
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    livenessProbe: {exec: {command: ["false"]}, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 1}
`, name))
	p := waitPod(t, name, 40*time.Second, "onfail's restart and never's end", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, "onfail").RestartCount >= 1 && ctrStatus(t, p, "never").State.Terminated != nil
	})
	if s := ctrStatus(t, p, "never"); s.State.Terminated.ExitCode != 0 || s.RestartCount != 0 {
		t.Errorf("never: %+v, restarts %d; want ended with 0, not restarted", s.State.Terminated, s.RestartCount)
	}
	if last := ctrStatus(t, p, "onfail").LastTerminationState.Terminated; last == nil || last.ExitCode != 0 {
		t.Errorf("onfail's last state %+v, want its exit 0 on SIGTERM", last)
	}
	d := mustMP(t, "describe", name)
	if !strings.Contains(d, "Container onfail failed liveness probe, will be restarted") {
		t.Errorf("describe lacks onfail's Killing event:\n%s", d)
	}
	if !strings.Contains(d, "Container never failed liveness probe\n") {
		t.Errorf("describe lacks never's Killing event without \"will be restarted\":\n%s", d)
	}
}

// TestRestartPolicySandboxRecreated: when the pause process dies, the new
// sandbox runs again what may run, but not an app container that had
// ended for good (its own Never): it had its one run.
func TestRestartPolicySandboxRecreated(t *testing.T) {
	root(t)
	name := podName("sandboxonce")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: once
    image: busybox
    restartPolicy: Never
    command: ["sh", "-c", "exit 0"]
  - name: long
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`, name))
	waitPod(t, name, 20*time.Second, "once's end", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, "once").State.Terminated != nil
	})
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(st.Pause.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, name, 20*time.Second, "long re-created", func(p *corev1.Pod) bool {
		s := ctrStatus(t, p, "long")
		return s.RestartCount == 1 && s.State.Running != nil
	})
	if s := ctrStatus(t, p, "once"); s.RestartCount != 0 || s.State.Terminated == nil {
		t.Errorf("once after the new sandbox: %+v, restarts %d; want left ended", s.State, s.RestartCount)
	}
}
