package test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/testutil"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// ---- Sidecar Containers
// https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/

// TestK8sDocsStartupCoordination (startup-coordination.yaml): main-app
// starts only once config-sidecar's startup probe found the file it
// wrote, so main-app's first output is that file.
func TestK8sDocsStartupCoordination(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/multi-container/startup-coordination.yaml")
	waitFor(t, 10*time.Second, "main-app to print the sidecar's file", func() bool {
		return mustMP(t, "logs", name, "-c", "main-app") == "greeting=hello\n"
	})
	row := getRow(t, name)
	if row["READY"] != "2/2" || row["STATUS"] != "Running" {
		t.Errorf("get: READY %s STATUS %s, want 2/2 Running", row["READY"], row["STATUS"])
	}
	p := getPod(t, name)
	side, app := ctrStatus(t, p, "config-sidecar"), ctrStatus(t, p, "main-app")
	if side.State.Running == nil || side.Started == nil || !*side.Started || !side.Ready {
		t.Errorf("config-sidecar: %+v, want running, started and ready", side)
	}
	if app.State.Running == nil || app.State.Running.StartedAt.Before(&side.State.Running.StartedAt) {
		t.Errorf("main-app: %+v, want running, started after the sidecar (%v)", app.State, side.State.Running.StartedAt)
	}
}

// TestK8sDocsSidecarDeployment (application/deployment-sidecar.yaml, its
// Pod template run as a Pod): the logshipper sidecar tails what myapp
// writes to the shared volume, both running.
func TestK8sDocsSidecarDeployment(t *testing.T) {
	root(t)
	name := mustUpDocTemplate(t, "application/deployment-sidecar.yaml")
	waitFor(t, 20*time.Second, "logshipper to ship a line", func() bool {
		return strings.Contains(mp(t, "logs", name, "-c", "logshipper").stdout, "logging\n")
	})
	if row := getRow(t, name); row["READY"] != "2/2" || row["STATUS"] != "Running" {
		t.Errorf("get: READY %s STATUS %s, want 2/2 Running", row["READY"], row["STATUS"])
	}
}

// TestK8sDocsSidecarJob (application/job/job-sidecar.yaml, its Pod
// template run as a Pod): the pod completes once myjob has, although the
// sidecar would tail forever: the node stops it.
func TestK8sDocsSidecarJob(t *testing.T) {
	root(t)
	name := mustUpDocTemplate(t, "application/job/job-sidecar.yaml")
	p := waitPod(t, name, 40*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	if s := ctrStatus(t, p, "logshipper"); s.State.Terminated == nil {
		t.Errorf("logshipper: %+v, want terminated", s.State)
	}
	if got := mp(t, "logs", name, "-c", "logshipper").stdout; !strings.Contains(got, "logging") {
		t.Errorf("logshipper's log %q: the line myjob wrote is missing", got)
	}
	if row := getRow(t, name); row["STATUS"] != "Completed" || row["READY"] != "0/2" {
		t.Errorf("get: READY %s STATUS %s, want 0/2 Completed", row["READY"], row["STATUS"])
	}
}

// TestSidecarJobCompletes: in a restartPolicy Never pod, sidecars start in
// order before the app container and after the plain init container
// before them; a sidecar that exits is restarted all the same; when the
// app container is done, the sidecars are stopped last to first (each
// after the later one has exited) and, whatever their exit codes, the pod
// is Succeeded by its app container.
func TestSidecarJobCompletes(t *testing.T) {
	root(t)
	name := podName("sidecar-job")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 10
  volumes: [{name: shared, emptyDir: {}}]
  initContainers:
  - name: setup
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "echo setup >> /shared/log"]
  - name: side1
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "echo side1 >> /shared/log; if [ ! -e /shared/side1-ran ]; then touch /shared/side1-ran; exit 3; fi; touch /shared/side1-up; trap 'echo side1 term >> /shared/log; exit 1' TERM; while true; do sleep 0.1; done"]
    startupProbe:
      exec: {command: ["test", "-e", "/shared/side1-up"]}
      periodSeconds: 1
  - name: side2
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "echo side2 >> /shared/log; trap 'sleep 1; echo side2 term >> /shared/log; exit 0' TERM; while true; do sleep 0.1; done"]
    readinessProbe:
      exec: {command: ["test", "-e", "/shared/side2-ready"]}
      periodSeconds: 1
  containers:
  - name: main
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "echo main >> /shared/log; touch /shared/side2-ready; while [ ! -e /shared/done ]; do sleep 0.1; done"]
`, name))
	// While the app runs, the sidecars run and count in READY.
	waitFor(t, 20*time.Second, "READY 3/3", func() bool { return getRow(t, name)["READY"] == "3/3" })
	// main is created once side2 runs, but their first lines may come in
	// either order: side2's shell may not have been scheduled yet when
	// main's is (a loaded machine did that once). Their record orders them.
	if got := execOut(t, name, "side1", "cat", "/shared/log"); got != "setup\nside1\nside1\nside2\nmain\n" && got != "setup\nside1\nside1\nmain\nside2\n" {
		t.Errorf("start order: %q, want setup, side1 (exits), side1 again, side2, main", got)
	}
	p := getPod(t, name)
	if s2, m := ctrStatus(t, p, "side2").State.Running, ctrStatus(t, p, "main").State.Running; s2 == nil || m == nil || m.StartedAt.Before(&s2.StartedAt) {
		t.Errorf("side2 running %+v, main running %+v: main must start after side2", s2, m)
	}
	if s := ctrStatus(t, p, "side1"); s.RestartCount != 1 || s.LastTerminationState.Terminated == nil || s.LastTerminationState.Terminated.ExitCode != 3 {
		t.Errorf("side1: restarts %d, last state %+v; want 1, exit code 3", s.RestartCount, s.LastTerminationState)
	}
	execOut(t, name, "main", "touch", "/shared/done")
	p = waitPod(t, name, 30*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	side1, side2, main := ctrStatus(t, p, "side1").State.Terminated, ctrStatus(t, p, "side2").State.Terminated, ctrStatus(t, p, "main").State.Terminated
	if side1 == nil || side2 == nil || main == nil {
		t.Fatalf("not all terminated: side1 %v side2 %v main %v", side1, side2, main)
	}
	if side1.ExitCode != 1 {
		t.Errorf("side1 exit code %d, want 1 (its TERM trap): it must have been stopped by SIGTERM", side1.ExitCode)
	}
	// side2 stops first, and its TERM trap takes a second: side1 gets its
	// SIGTERM only once side2 has exited.
	if !main.FinishedAt.Before(&side2.FinishedAt) || side1.FinishedAt.Sub(side2.FinishedAt.Time) < 0 || side2.FinishedAt.Sub(main.FinishedAt.Time) < time.Second {
		t.Errorf("stop order: main %v, side2 %v, side1 %v; want main, then side2 (a second later), then side1",
			main.FinishedAt, side2.FinishedAt, side1.FinishedAt)
	}
	if row := getRow(t, name); row["STATUS"] != "Completed" {
		t.Errorf("STATUS %s, want Completed", row["STATUS"])
	}
}

// TestSidecarDeleteOrder: on delete, the app container stops first; the
// sidecars get SIGTERM only after it has exited, last to first, within
// the grace period. The test watches the pod's record while down runs
// (the last end is not always seen: the record goes with the pod).
func TestSidecarDeleteOrder(t *testing.T) {
	root(t)
	name := podName("sidecar-down")
	before := testutil.Snapshot(t, exe)
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 20
  initContainers:
  - name: side1
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "trap 'sleep 0.5; exit 0' TERM; touch /shared/side1; while true; do sleep 0.1; done"]
  - name: side2
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "trap 'sleep 1; exit 0' TERM; touch /shared/side2; while true; do sleep 0.1; done"]
  containers:
  - name: main
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "trap 'sleep 1; exit 0' TERM; touch /shared/main; while true; do sleep 0.1; done"]
  volumes:
  - name: shared
    emptyDir: {}
`, name))
	suitePods.Store(name, true)
	procs := func() []procID { return podProcs(name) }
	if r := mp(t, "up", "-d", path); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	// up -d returns once the containers run, which can be before their
	// shells have set their TERM traps: wait for each to say it has.
	waitFor(t, 20*time.Second, "every TERM trap set", func() bool {
		return execOut(t, name, "main", "ls", "/shared") == "main\nside1\nside2\n"
	})
	running := procs()
	done := make(chan result, 1)
	go func() { done <- mp(t, "down", name) }()
	finished := map[string]time.Time{}
	side1After := false // side1 seen running after side2 had ended
	for {
		select {
		case r := <-done:
			if r.code != 0 {
				t.Errorf("down: %s", r)
			}
			checkGone(t, name, before, running)
			main, s2 := finished["main"], finished["side2"]
			if main.IsZero() || s2.IsZero() {
				t.Fatalf("not every end was seen: %v", finished)
			}
			if s2.Sub(main) < time.Second || !side1After {
				t.Errorf("stop order: main ended %v, side2 %v, side1 seen running after that: %v; want main, side2 a second later (its TERM trap, begun after main exited), then side1", main, s2, side1After)
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
		b, err := os.ReadFile("/run/minipod/" + name + "/state.json")
		if err != nil {
			continue
		}
		var st state.Pod
		if json.Unmarshal(b, &st) != nil {
			continue
		}
		for _, c := range st.All() {
			if c.State == state.StateTerminated {
				finished[c.Name] = c.FinishedAt
			}
		}
		if !finished["side2"].IsZero() && st.InitContainers[0].State == state.StateRunning {
			side1After = true
		}
	}
}

// mustUpDocTemplate runs the Pod template of a documentation workload
// (Deployment, Job), unchanged, as a Pod named after the workload: what
// the workload's controller would create, one replica.
func mustUpDocTemplate(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(docsDir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Template struct {
				Metadata map[string]any `json:"metadata"`
				Spec     map[string]any `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	meta := w.Spec.Template.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	meta["name"] = w.Metadata.Name
	pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": w.Spec.Template.Spec}
	text, err := yaml.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	name := w.Metadata.Name
	var decoded corev1.Pod
	if err := yaml.Unmarshal(text, &decoded); err != nil {
		t.Fatal(err)
	}
	suitePods.Store(name, true)
	lockDocName(t, name)
	clearLeftover(t, name)
	importDocImages(t, &decoded)
	path := writeManifest(t, name, string(text))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downDoc(t, name, before, runOpts{}) })
	if r := mp(t, "up", "-d", path); r.code != 0 {
		t.Fatalf("up %s: %s", file, r)
	}
	return name
}

// TestSidecarInitFailure: a plain init container that fails for good
// (restartPolicy Never) after a sidecar started fails the pod; the node
// stops the sidecar and keeps the pod and its logs until down.
func TestSidecarInitFailure(t *testing.T) {
	root(t)
	name := podName("sidecar-initfail")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: side
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "echo side up; trap 'echo side term; exit 0' TERM; while true; do sleep 0.1; done"]
  - name: check
    image: busybox
    command: ["sh", "-c", "exit 2"]
  containers:
  - name: main
    image: busybox
    command: ["true"]
`, name))
	if r.code == 0 || !strings.Contains(r.stderr, "failed") {
		t.Errorf("up of a pod whose init container fails: %s", r)
	}
	p := waitPod(t, name, 20*time.Second, "sidecar stopped", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, "side").State.Terminated != nil
	})
	if p.Status.Phase != corev1.PodFailed {
		t.Errorf("phase %s, want Failed", p.Status.Phase)
	}
	if s := ctrStatus(t, p, "main"); s.State.Waiting == nil || s.RestartCount != 0 {
		t.Errorf("main: %+v, want never started", s)
	}
	if got := mustMP(t, "logs", name, "-c", "side"); got != "side up\nside term\n" {
		t.Errorf("side's log: %q", got)
	}
	if row := getRow(t, name); row["STATUS"] != "Init:Error" {
		t.Errorf("STATUS %s, want Init:Error", row["STATUS"])
	}
}
