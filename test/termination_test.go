package test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ---- Determine the Reason for Pod Failure
// https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/

// TestK8sDocsTerminationMessage (debug/termination.yaml): the container
// writes "Sleep expired" to /dev/termination-log and exits; the page reads
// it back from the terminated state's message (here the last state, the
// pod restarting it as restartPolicy Always says).
func TestK8sDocsTerminationMessage(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "debug/termination.yaml")
	const ctr = "termination-demo-container"
	var s corev1.ContainerStatus
	waitPod(t, name, 60*time.Second, "the first instance's end", func(p *corev1.Pod) bool {
		s = ctrStatus(t, p, ctr)
		return s.LastTerminationState.Terminated != nil || s.State.Terminated != nil
	})
	term := s.LastTerminationState.Terminated
	if term == nil {
		term = s.State.Terminated
	}
	if term.Message != "Sleep expired\n" || term.ExitCode != 0 {
		t.Errorf("terminated: exit %d message %q, the page shows \"Sleep expired\"", term.ExitCode, term.Message)
	}
}

// TestTerminationMessage: the file at terminationMessagePath (default or
// custom, written by a non-root user) becomes the terminated state's
// message, at most 4096 bytes of it however much the container wrote;
// FallbackToLogsOnError takes the end of the log (80 lines, 2048 bytes)
// only for a failure with an empty file; describe shows the message.
func TestTerminationMessage(t *testing.T) {
	root(t)
	name := podName("termmsg")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  containers:
  - name: file
    image: busybox
    command: ["sh", "-c", "echo Sleep expired > /dev/termination-log; exit 3"]
  - name: huge
    image: busybox
    command: ["sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x > /dev/termination-log"]
  - name: fallback
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "for i in $(seq 1 100); do echo line $i; done; exit 4"]
  - name: fallback-ok
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo fine"]
  - name: custom
    image: busybox
    securityContext: {runAsUser: 1000}
    terminationMessagePath: /tmp/msg
    command: ["sh", "-c", "echo custom > /tmp/msg"]
`, name))
	p := waitPod(t, name, 30*time.Second, "every container done", func(p *corev1.Pod) bool {
		for _, s := range p.Status.ContainerStatuses {
			if s.State.Terminated == nil {
				return false
			}
		}
		return true
	})
	msg := func(c string) string { return ctrStatus(t, p, c).State.Terminated.Message }
	if m := msg("file"); m != "Sleep expired\n" {
		t.Errorf("file: %q", m)
	}
	if m := msg("huge"); len(m) != 4096 || strings.Trim(m, "x") != "" {
		t.Errorf("huge: a message of %d bytes, want the first 4096", len(m))
	}
	if m := msg("fallback"); !strings.HasPrefix(m, "line 21\n") || !strings.HasSuffix(m, "line 100\n") {
		t.Errorf("fallback: %q, want lines 21 to 100 (the last 80)", m)
	}
	if m := msg("fallback-ok"); m != "" {
		t.Errorf("fallback after success: %q, want none", m)
	}
	if m := msg("custom"); m != "custom\n" {
		t.Errorf("custom path, non-root: %q", m)
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "Message:") || !strings.Contains(d, "Sleep expired") {
		t.Errorf("describe does not show the message:\n%s", d)
	}
}

// deadlineMsg is the kubelet's message for a pod past its deadline.
const deadlineMsg = "Pod was active on the node longer than the specified deadline"

// TestActiveDeadline: a pod still active after activeDeadlineSeconds is
// Failed with the kubelet's reason and message, its containers stopped
// within the grace period and never restarted (restartPolicy Always); the
// pod stays listed until down.
func TestActiveDeadline(t *testing.T) {
	root(t)
	name := podName("deadline")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  activeDeadlineSeconds: 3
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
  - name: stubborn
    image: busybox
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
`, name))
	// On a loaded machine the deadline may pass before both containers
	// have started: `up -d` then rightly reports the pod failed, and the
	// rest holds all the same.
	if r.code != 0 && !strings.Contains(r.stderr, deadlineMsg) {
		t.Fatalf("up failed: %s", r)
	}
	p := waitPod(t, name, 30*time.Second, "DeadlineExceeded", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodFailed
	})
	if p.Status.Reason != "DeadlineExceeded" || p.Status.Message != deadlineMsg {
		t.Errorf("status reason %q message %q", p.Status.Reason, p.Status.Message)
	}
	waitPod(t, name, 15*time.Second, "both containers stopped", func(p *corev1.Pod) bool {
		for _, s := range p.Status.ContainerStatuses {
			if s.State.Terminated == nil {
				return false
			}
		}
		return true
	})
	time.Sleep(1500 * time.Millisecond) // a restart would have begun by now
	for _, s := range getPod(t, name).Status.ContainerStatuses {
		if s.RestartCount != 0 || s.State.Terminated == nil {
			t.Errorf("%s restarted after the deadline: %+v", s.Name, s)
		}
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "DeadlineExceeded") {
		t.Errorf("describe has no DeadlineExceeded event:\n%s", d)
	}
	r = tryUp(t, podName("deadline-bad"), tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  activeDeadlineSeconds: 0
  containers:
  - {name: a, image: busybox}
`, podName("deadline-bad")))
	if r.code == 0 || !strings.Contains(r.stderr, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 4294967295, inclusive") {
		t.Errorf("activeDeadlineSeconds 0: %s", r)
	}
}
