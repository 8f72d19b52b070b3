package test

// Scheduling on the one node: a pod whose requests do not fit in what the
// node has left stays Pending (PodScheduled False, Unschedulable, a
// FailedScheduling event with the scheduler's message), and starts by
// itself once other pods make room.

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// schedMessage is the scheduler's FailedScheduling message on a one-node
// cluster with nothing to preempt, for the sorted reasons.
func schedMessage(reasons ...string) string {
	for i, r := range reasons {
		reasons[i] = "1 " + r
	}
	return "0/1 nodes are available: " + strings.Join(reasons, ", ") +
		". preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
}

// podScheduled returns the PodScheduled condition of p, or nil.
func podScheduled(p *corev1.Pod) *corev1.PodCondition {
	for i, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// TestSchedulingTooBig: a pod requesting 100 CPUs and 1000Gi fits no node:
// up exits 0 with a warning, the pod is Pending with both reasons in the
// scheduler's words (condition and FailedScheduling event), exec fails,
// nothing of it runs, and down of the Pending pod leaves nothing (the
// teardown's leak check).
func TestSchedulingTooBig(t *testing.T) {
	root(t)
	name := podName("toobig")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
    resources:
      requests: {cpu: "100", memory: 1000Gi}
`, name, "IDLE", idle))
	msg := schedMessage("Insufficient cpu", "Insufficient memory")
	if r.code != 0 || !strings.Contains(r.stdout, "pod/"+name+" created") {
		t.Fatalf("up of a pod that does not fit must create it (kubectl apply does): %s", r)
	}
	if want := "Warning: pod " + name + " is Pending: " + msg; !strings.Contains(r.stderr, want) {
		t.Errorf("up's stderr %q does not warn %q", r.stderr, want)
	}
	checkUnschedulable(t, name, r, false, "Insufficient cpu")
	p := getPod(t, name)
	if c := podScheduled(p); c == nil || c.Message != msg {
		t.Errorf("PodScheduled condition %+v, want message %q", c, msg)
	}
	if d := mustMP(t, "describe", name); !regexp.MustCompile(`Warning\s+FailedScheduling\s.*` + regexp.QuoteMeta(msg)).MatchString(d) {
		t.Errorf("describe has no FailedScheduling event with %q:\n%s", msg, d)
	}
	if e := mp(t, "exec", name, "--", "true"); e.code == 0 {
		t.Errorf("exec into a Pending pod succeeded: %s", e)
	}
	// It stays so: the retries (every 2 s) find no more room.
	time.Sleep(3 * time.Second)
	if p := getPod(t, name); p.Status.Phase != corev1.PodPending {
		t.Errorf("phase %s after a few retries, want Pending", p.Status.Phase)
	}
}

// TestSchedulingExtendedResource: the node advertises one unit of an
// extended resource (node setting extended-resources; a name of this
// test's own, so that no other test competes for it). A pod requesting it
// runs; a second stays Pending (Insufficient <resource>) until the first
// is down, then starts by itself; a third then waits for the second, which
// holds the unit until it has finished (Succeeded): a finished pod holds
// nothing.
func TestSchedulingExtendedResource(t *testing.T) {
	root(t)
	res := "example.com/" + podName("dongle")
	// Every up and down of the test gives the monitor the same node
	// settings: each reads them when it starts.
	opts := runOpts{env: []string{"MINIPOD_EXTENDED_RESOURCES=" + res + "=1"}}
	manifest := func(name string) string {
		// Runs until /tmp/done exists, then exits 0.
		return tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; until [ -e /tmp/done ]; do sleep 0.2; done"]
    resources:
      requests: {"{{RES}}": "1"}
      limits: {"{{RES}}": "1"}
`, name, "RES", res)
	}
	msg := schedMessage("Insufficient " + res)

	first := podName("ext1")
	upPod(t, first, manifest(first), opts)
	waitPod(t, first, 30*time.Second, "running", allRunning)

	second := podName("ext2")
	r := tryUp(t, second, manifest(second), opts)
	if r.code != 0 || !strings.Contains(r.stderr, "Warning: pod "+second+" is Pending: "+msg) {
		t.Errorf("up of the second pod: want exit 0 and the Pending warning %q: %s", msg, r)
	}
	checkUnschedulable(t, second, r, false, "Insufficient "+res)

	if d := mpWith(t, opts, "down", first); d.code != 0 {
		t.Fatalf("down %s: %s", first, d)
	}
	p := waitPod(t, second, 30*time.Second, "running once the first pod is down", allRunning)
	if c := podScheduled(p); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("PodScheduled %+v, want True", c)
	}
	if d := mustMP(t, "describe", second); !regexp.MustCompile(`(?s)Warning\s+FailedScheduling\s.*Normal\s+Scheduled\s`).MatchString(d) {
		t.Errorf("describe does not show FailedScheduling, then Scheduled:\n%s", d)
	}

	third := podName("ext3")
	r = tryUp(t, third, manifest(third), opts)
	if r.code != 0 || !strings.Contains(r.stderr, "is Pending") {
		t.Errorf("up of the third pod, while the second holds the unit: %s", r)
	}
	waitStatus(t, third, "Pending", 30*time.Second)
	if b := readBinding(t, second); !b.Bound || b.Requests[res] != 1 || b.Phase != "Running" {
		t.Errorf("binding file of the running second pod: %+v, want bound, Running, holding 1 %s", b, res)
	}
	execOut(t, second, "a", "touch", "/tmp/done")
	waitPod(t, second, 30*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	waitPod(t, third, 30*time.Second, "running once the second pod has finished", allRunning)
	// What the third pod's start read of the second: its binding file,
	// which the phase change reached.
	if b := readBinding(t, second); b.Phase != "Succeeded" {
		t.Errorf("binding file of the finished second pod: %+v, want phase Succeeded", b)
	}
}

// binding is a pod's binding file (/run/minipod/<pod>/binding.json), which
// the scheduling of every later pod reads instead of its state.json.
type binding struct {
	Phase    string           `json:"phase"`
	Bound    bool             `json:"bound"`
	Requests map[string]int64 `json:"requests"`
}

func readBinding(t *testing.T, name string) binding {
	t.Helper()
	data, err := os.ReadFile("/run/minipod/" + name + "/binding.json")
	if err != nil {
		t.Fatal(err)
	}
	var b binding
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("binding file of %s: %v: %q", name, err, data)
	}
	return b
}

// ---- Pod Scheduling Readiness
// https://kubernetes.io/docs/concepts/scheduling-eviction/pod-scheduling-readiness/

// TestK8sDocsSchedulingGates (pod-with-scheduling-gates.yaml): the pod is
// created and stays Pending, SchedulingGated, as the page shows with
// `kubectl get pod test-pod`; its gates are in its spec (the page's
// jsonpath query); nothing of it runs, and exec says so. The page's
// next step, applying the pod again without its gates, is an update of a
// pod, which minipod does not do: `down` removes it.
func TestK8sDocsSchedulingGates(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/pod-with-scheduling-gates.yaml", cmdTimeout)
	if timedOut || r.code != 0 || !strings.Contains(r.stderr, "is Pending: SchedulingGated") {
		t.Fatalf("up (timed out: %v): %s\nwant success with the warning that the pod is SchedulingGated", timedOut, r)
	}
	if row := getRow(t, name); row["STATUS"] != "SchedulingGated" || row["READY"] != "0/1" {
		t.Errorf("get: %v, want 0/1 SchedulingGated", row)
	}
	if gates := mustMP(t, "get", "pod", name, "-o", "jsonpath={.spec.schedulingGates}"); gates != `[{"name":"example.com/foo"},{"name":"example.com/bar"}]` {
		t.Errorf("jsonpath {.spec.schedulingGates}: %s", gates)
	}
	p := getPod(t, name)
	c := p.Status.Conditions
	if p.Status.Phase != corev1.PodPending || len(c) != 1 || c[0].Type != corev1.PodScheduled || c[0].Status != corev1.ConditionFalse || c[0].Reason != "SchedulingGated" || p.Spec.NodeName != "" {
		t.Errorf("status %+v, node %q; want Pending, PodScheduled False SchedulingGated, no node", p.Status, p.Spec.NodeName)
	}
	// The API server's answer: the pod is on no node.
	for _, args := range [][]string{{"exec", name, "--", "true"}, {"attach", name}, {"port-forward", name, "8080:80"}} {
		if e := mp(t, args...); e.code == 0 || !strings.Contains(e.stderr, "pod "+name+" does not have a host assigned") {
			t.Errorf("%s into a gated pod: %s", args[0], e)
		}
	}
	if procs := podProcs(name); len(procs) > 1 {
		t.Errorf("processes of the gated pod besides its monitor: %v", procs)
	}
}
