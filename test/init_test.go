package test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// idle keeps a busybox container up and lets it stop at once on SIGTERM.
const idle = "trap 'exit 0' TERM; while true; do sleep 1; done"

// oneIdlePod runs one idle busybox container, main.
const oneIdlePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

// twoIdlePod runs two idle busybox containers, a and b.
const twoIdlePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
  - name: b
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

const initPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: {{POLICY}}
  volumes:
  - name: work
    emptyDir: {}
  initContainers:
  - name: init1
    image: busybox
    command: ["sh", "-c", "{{INIT1}}"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: init2
    image: busybox
    command: ["sh", "-c", "echo 2 >> /work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "cat /work/order; ` + idle + `"]
    volumeMounts: [{name: work, mountPath: /work}]
`

// TestInitContainersInOrder: init containers run one after the other, to
// completion, before the app container.
func TestInitContainersInOrder(t *testing.T) {
	root(t)
	name := podName("init-order")
	upPod(t, name, tmpl(initPod, name, "POLICY", "Always", "INIT1", "echo 1 >> /work/order"))

	var out string
	waitFor(t, 30*time.Second, "app's log", func() bool {
		out = mustMP(t, "logs", name, "-c", "app")
		return len(lines(out)) >= 2
	})
	if out != "1\n2\n" {
		t.Errorf("app read %q, want \"1\\n2\\n\"", out)
	}
	p := getPod(t, name)
	if len(p.Status.InitContainerStatuses) != 2 {
		t.Fatalf("initContainerStatuses: %+v", p.Status.InitContainerStatuses)
	}
	for _, c := range []string{"init1", "init2"} {
		s := ctrStatus(t, p, c)
		if s.State.Terminated == nil || s.State.Terminated.Reason != "Completed" || s.State.Terminated.ExitCode != 0 {
			t.Errorf("%s state %+v, want terminated Completed", c, s.State)
		}
	}
	i1, i2 := ctrStatus(t, p, "init1").State.Terminated, ctrStatus(t, p, "init2").State.Terminated
	if i1 != nil && i2 != nil && i2.StartedAt.Before(&i1.FinishedAt) {
		t.Errorf("init2 started at %v, before init1 finished at %v", i2.StartedAt, i1.FinishedAt)
	}
	if s := ctrStatus(t, p, "app"); s.State.Running == nil {
		t.Errorf("app state %+v, want running", s.State)
	}
}

// TestInitContainerFailsNever: with restartPolicy Never, a failing init
// container fails the pod (and `up`) and the app container never starts.
func TestInitContainerFailsNever(t *testing.T) {
	root(t)
	name := podName("init-never")
	r := tryUp(t, name, tmpl(initPod, name, "POLICY", "Never", "INIT1", "exit 3"))
	if r.code == 0 || !strings.Contains(r.stderr, "Init:Error") {
		t.Errorf("up: want a failure mentioning Init:Error, got %s", r)
	}
	waitStatus(t, name, "Init:Error", 30*time.Second)
	p := getPod(t, name)
	if p.Status.Phase != "Failed" {
		t.Errorf("phase %q, want Failed", p.Status.Phase)
	}
	s := ctrStatus(t, p, "init1")
	if s.State.Terminated == nil || s.State.Terminated.ExitCode != 3 || s.State.Terminated.Reason != "Error" {
		t.Errorf("init1 state %+v, want terminated Error exit 3", s.State)
	}
	if s := ctrStatus(t, p, "init2"); s.State.Waiting == nil {
		t.Errorf("init2 state %+v, want waiting", s.State)
	}
	if s := ctrStatus(t, p, "app"); s.State.Waiting == nil || s.Started == nil || *s.Started {
		t.Errorf("app state %+v started %v, want waiting, never started", s.State, s.Started)
	}
	logs, _ := filepath.Glob("/var/log/pods/*_" + name + "_*/app/*.log")
	if len(logs) != 0 {
		t.Errorf("app has log files %v, but it never ran", logs)
	}
}

// TestInitContainerFailsAlways: with restartPolicy Always, a failing init
// container is retried with back-off.
func TestInitContainerFailsAlways(t *testing.T) {
	root(t)
	name := podName("init-always")
	r := tryUp(t, name, tmpl(initPod, name, "POLICY", "Always", "INIT1", "exit 1"))
	if r.code == 0 {
		t.Errorf("up: want a failure (the pod cannot start), got %s", r)
	}
	row := waitStatus(t, name, "Init:CrashLoopBackOff", 60*time.Second)
	if n := restarts(t, row); n < 1 {
		t.Errorf("RESTARTS %q, want >= 1", row["RESTARTS"])
	}
	p := getPod(t, name)
	if s := ctrStatus(t, p, "init1"); s.RestartCount < 1 {
		t.Errorf("init1 restartCount %d, want >= 1", s.RestartCount)
	}
	if s := ctrStatus(t, p, "app"); s.State.Waiting == nil {
		t.Errorf("app state %+v, want waiting", s.State)
	}
}
