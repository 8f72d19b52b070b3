package test

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/probe/probereq"
	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"

	corev1 "k8s.io/api/core/v1"
)

// ---- Configure Liveness, Readiness and Startup Probes
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/

// restartedFor waits for a restart of ctr and for describe to show the
// probe's failure, as the page shows them.
func restartedFor(t *testing.T, name, ctr string, timeout time.Duration, failure string) {
	t.Helper()
	waitPod(t, name, timeout, ctr+" restarted", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, ctr).RestartCount >= 1
	})
	d := mustMP(t, "describe", name)
	for _, want := range []string{`Warning\s+Unhealthy\s.*` + regexp.QuoteMeta(failure),
		`Normal\s+Killing\s.*Container ` + ctr + ` failed liveness probe, will be restarted`} {
		if !regexp.MustCompile(want).MatchString(d) {
			t.Errorf("describe lacks %q:\n%s", want, d)
		}
	}
}

// TestK8sDocsExecLiveness (probe/exec-liveness.yaml): /tmp/healthy exists
// for 30 s; then `cat /tmp/healthy` fails, and after three failures the
// container is killed and restarted: about 45 s, then the pod's 30 s grace
// period (the shell, PID 1, ignores SIGTERM), so the bound leaves room for
// a loaded machine.
func TestK8sDocsExecLiveness(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/probe/exec-liveness.yaml")
	restartedFor(t, name, "liveness", 150*time.Second, "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory")
}

// TestK8sDocsHTTPLiveness (probe/http-liveness.yaml): agnhost liveness
// answers /healthz with 200 for 10 s, then 500; the kubelet restarts it.
func TestK8sDocsHTTPLiveness(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/probe/http-liveness.yaml")
	restartedFor(t, name, "liveness", 60*time.Second, "Liveness probe failed: HTTP probe failed with statuscode: 500")
}

// TestK8sDocsTCPLivenessReadiness (probe/tcp-liveness-readiness.yaml):
// goproxy listens on 8080; after 15 s the probes connect and the pod is
// 1/1 Running, never restarted. `up -d` waits for the readiness.
func TestK8sDocsTCPLivenessReadiness(t *testing.T) {
	root(t)
	start := time.Now()
	name := mustUpDoc(t, "pods/probe/tcp-liveness-readiness.yaml")
	if waited := time.Since(start); waited < 14*time.Second {
		t.Errorf("up -d returned after %v, before the readiness probe's first run at 15 s", waited)
	}
	p := getPod(t, name)
	s := ctrStatus(t, p, "goproxy")
	if !s.Ready || s.RestartCount != 0 || s.State.Running == nil {
		t.Errorf("goproxy: ready %v restarts %d state %+v", s.Ready, s.RestartCount, s.State)
	}
	if row := getRow(t, name); row["READY"] != "1/1" {
		t.Errorf("get: %v", row)
	}
}

const probePod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    securityContext: {runAsUser: 1000}
    command: ["sh", "-c", "sleep 2; mkdir -p /tmp/w; echo ok > /tmp/w/index.html; exec httpd -f -p 8080 -h /tmp/w"]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      httpGet: {path: /index.html, port: http, httpHeaders: [{name: X-Probe, value: "1"}]}
      periodSeconds: 1
  - name: slow-start
    image: busybox
    command: ["sh", "-c", "sleep 3; touch /tmp/started; ` + idle + `"]
    startupProbe:
      exec: {command: ["test", "-e", "/tmp/started"]}
      periodSeconds: 1
      failureThreshold: 30
    livenessProbe:
      exec: {command: ["test", "-e", "/tmp/started"]}
      periodSeconds: 1
  - name: whoami
    image: busybox
    securityContext: {runAsUser: 1234}
    command: ["sh", "-c", "` + idle + `"]
    readinessProbe:
      exec: {command: ["sh", "-c", "test $(id -u) = 1234 && grep -q '^NoNewPrivs:.*1' /proc/self/status || { id; exit 1; }"]}
      periodSeconds: 1
`

// TestProbes: readiness gates READY and the pod's Ready condition (an
// httpGet to a named port with a header, from inside the pod's network,
// of a server running as non-root); a startup probe keeps the liveness
// probe and `started` off until it passes; exec probes run as the
// container (its user, no_new_privs when set); `up -d` returned only once
// every container was ready.
func TestProbes(t *testing.T) {
	root(t)
	name := podName("probes")
	upPod(t, name, tmpl(strings.Replace(probePod, "securityContext: {runAsUser: 1234}", "securityContext: {runAsUser: 1234, allowPrivilegeEscalation: false}", 1), name))
	p := getPod(t, name)
	for _, s := range p.Status.ContainerStatuses {
		if !s.Ready || s.Started == nil || !*s.Started || s.RestartCount != 0 {
			t.Errorf("%s right after up -d: ready %v started %v restarts %d", s.Name, s.Ready, s.Started, s.RestartCount)
		}
	}
	ready := false
	for _, c := range p.Status.Conditions {
		ready = ready || c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
	}
	if !ready {
		t.Errorf("conditions %+v, want Ready True", p.Status.Conditions)
	}
	if d := mustMP(t, "describe", name); strings.Contains(d, "Liveness probe failed") {
		t.Errorf("the liveness probe ran before the startup probe passed:\n%s", d)
	}
}

// TestProbeNotReady: a readiness probe that fails keeps READY 0/1 (the
// container runs, is never restarted); `up -d --wait-ready=false` returns
// at once; an exec probe that hangs is killed at its timeout and the
// monitor still answers.
func TestProbeNotReady(t *testing.T) {
	root(t)
	name := podName("notready")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    readinessProbe:
      exec: {command: ["sleep", "1000"]}
      timeoutSeconds: 1
      periodSeconds: 1
`, name))
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", name) })
	mustMP(t, "up", "-d", "--wait-ready=false", path)
	waitFor(t, 20*time.Second, "a timed-out readiness probe", func() bool {
		return strings.Contains(mustMP(t, "describe", name), `Readiness probe failed: command "sleep 1000" timed out`)
	})
	row := getRow(t, name)
	if row["READY"] != "0/1" || row["STATUS"] != "Running" || restarts(t, row) != 0 {
		t.Errorf("get: %v, want 0/1 Running without restarts", row)
	}
	// At most the probe of this very second runs; the timed-out ones are gone.
	if out := execOut(t, name, "c", "sh", "-c", "ps -o args | grep -xc 'sleep 1000' || true"); strings.TrimSpace(out) > "1" {
		t.Errorf("timed-out probe commands left running: %s", out)
	}
}

// TestUpReadinessFails: `up -d` waits for readiness, but not for ever: once
// the readiness probe failed failureThreshold times in a row it creates the
// pod (exit 0) with a warning that says which container and why; the pod
// runs not ready and becomes ready as soon as the probe passes.
func TestUpReadinessFails(t *testing.T) {
	root(t)
	name := podName("unready")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    readinessProbe:
      exec: {command: ["sh", "-c", "test -e /tmp/ready || { echo not yet; exit 1; }"]}
      periodSeconds: 1
      failureThreshold: 2
`, name))
	want := "Warning: pod " + name + " is not ready: container c: Readiness probe failed: not yet"
	if r.code != 0 || !strings.Contains(r.stdout, "pod/"+name+" created") || !strings.Contains(r.stderr, want) {
		t.Fatalf("up -d of a pod whose readiness probe fails: %s\nwant exit 0, pod/%s created and %q", r, name, want)
	}
	if row := getRow(t, name); row["READY"] != "0/1" || row["STATUS"] != "Running" {
		t.Errorf("get: %v, want 0/1 Running", row)
	}
	execOut(t, name, "c", "touch", "/tmp/ready")
	waitFor(t, 20*time.Second, "the pod to become ready", func() bool {
		return getRow(t, name)["READY"] == "1/1"
	})
}

// TestProbeCommandExpanded: $(VAR) in an exec probe's command is expanded
// as the kubelet's prober does it: against the container's env entries as
// written, one with valueFrom being empty. Unexpanded, the probe would
// look for a file called "$(MARK)" and never pass.
func TestProbeCommandExpanded(t *testing.T) {
	root(t)
	name := podName("probeexp")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "touch /tmp/ready; `+idle+`"]
    env:
    - {name: MARK, value: /tmp/ready}
    - name: FROM
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    readinessProbe:
      exec: {command: ["sh", "-c", "test -f $(MARK) && test -z '$(FROM)'"]}
      periodSeconds: 1
`, name))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })
	mustMP(t, "up", "-d", "--wait-ready=false", path)
	waitFor(t, 20*time.Second, "the pod ready", func() bool { return getRow(t, name)["READY"] == "1/1" })
}

// TestLivenessRestartPolicyNever: a container killed for its liveness
// probe with restartPolicy Never stays terminated and the pod is done.
func TestLivenessRestartPolicyNever(t *testing.T) {
	root(t)
	name := podName("live-never")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    livenessProbe:
      tcpSocket: {port: 9}
      periodSeconds: 1
      failureThreshold: 2
      terminationGracePeriodSeconds: 1
`, name))
	// Succeeded when its shell exits on SIGTERM in time, Failed when the
	// SIGKILL after the probe's 1 s grace period comes first (a busy node).
	p := waitPod(t, name, 30*time.Second, "done", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	})
	s := ctrStatus(t, p, "c")
	if s.RestartCount != 0 || s.State.Terminated == nil {
		t.Errorf("c: %+v", s)
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "connect: connection refused") {
		t.Errorf("describe lacks the tcpSocket failure:\n%s", d)
	}
}

// TestProbeCannotReachTheNode: probes run inside the pod's network
// namespace, so a manifest cannot use one to reach a service on the
// node's loopback (as a kubelet probing from the node could), and a
// probe command that leaves a child holding its output does not stop the
// probing.
func TestProbeCannotReachTheNode(t *testing.T) {
	root(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	name := podName("probe-node")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    readinessProbe:
      tcpSocket: {host: 127.0.0.1, port: {{PORT}}}
      periodSeconds: 1
    livenessProbe:
      exec: {command: ["sh", "-c", "echo x >> /tmp/runs; sleep 100 &"]}
      periodSeconds: 1
`, name, "PORT", strconv.Itoa(port)))
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", name) })
	mustMP(t, "up", "-d", "--wait-ready=false", path)
	waitFor(t, 20*time.Second, "refused readiness probes", func() bool {
		return strings.Count(mustMP(t, "describe", name), "127.0.0.1:"+strconv.Itoa(port)+": connect: connection refused") >= 2
	})
	waitFor(t, 20*time.Second, "liveness probes to go on", func() bool {
		n, _ := strconv.Atoi(strings.Fields(execOut(t, name, "c", "wc", "-l", "/tmp/runs"))[0])
		return n >= 3
	})
	if row := getRow(t, name); row["READY"] != "0/1" || restarts(t, row) != 0 {
		t.Errorf("get: %v, want 0/1 and no restart (the liveness probe passes each time)", row)
	}
}

// TestK8sDocsGRPCLiveness (probe/grpc-liveness.yaml): etcd answers the
// gRPC health service on 2379, so the liveness probe (from 10 s, every
// 10 s) passes: after two rounds, no Unhealthy event and no restart.
func TestK8sDocsGRPCLiveness(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/probe/grpc-liveness.yaml")
	time.Sleep(25 * time.Second)
	p := getPod(t, name)
	if s := ctrStatus(t, p, "etcd"); s.RestartCount != 0 || s.State.Running == nil {
		t.Errorf("etcd: %+v", s)
	}
	if d := mustMP(t, "describe", name); strings.Contains(d, "Unhealthy") {
		t.Errorf("the grpc probe failed against etcd:\n%s", d)
	}
}

// TestGRPCProbes: readiness by the gRPC health service of etcd (the
// stand-in of the documentation's image): the server as a whole is
// SERVING, so that container becomes ready; a service it does not know,
// or a port nothing listens on, fail with the kubelet's messages and
// leave their containers unready.
func TestGRPCProbes(t *testing.T) {
	name := upEtcdProbed(t, "grpc", `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.1-0
    command: ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379"]
    readinessProbe:
      grpc: {port: 2379}
      periodSeconds: 1
  - name: unknown
    image: registry.k8s.io/etcd:3.5.1-0
    command: ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd2", "--listen-client-urls", "http://0.0.0.0:2381", "--advertise-client-urls", "http://127.0.0.1:2381", "--listen-peer-urls", "http://127.0.0.1:2382"]
    readinessProbe:
      grpc: {port: 2381, service: no-such-service}
      periodSeconds: 1
  - name: closed
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      grpc: {port: 2390}
      periodSeconds: 1
`)
	waitPod(t, name, 30*time.Second, "etcd ready", func(p *corev1.Pod) bool { return ctrStatus(t, p, "etcd").Ready })
	waitFor(t, 20*time.Second, "both failures in the events", func() bool {
		d := mustMP(t, "describe", name)
		return strings.Contains(d, "Readiness probe failed: error: health rpc probe failed") &&
			strings.Contains(d, "Readiness probe failed: error: failed to connect service at")
	})
	p := getPod(t, name)
	if ctrStatus(t, p, "unknown").Ready || ctrStatus(t, p, "closed").Ready {
		t.Errorf("a container whose grpc probe fails is ready: %+v", p.Status.ContainerStatuses)
	}
}

// upEtcdProbed starts (up -d, ready or not) a pod of the etcd image and
// others, from manifest (a template of {{NAME}}), downed and checked for
// leftovers when the test ends; it returns the pod's name.
func upEtcdProbed(t *testing.T, base, manifest string) string {
	t.Helper()
	root(t)
	importDocImages(t, &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "registry.k8s.io/etcd:3.5.1-0"}}}})
	name := podName(base)
	path := writeManifest(t, name, tmpl(manifest, name))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })
	if r := mp(t, "up", "-d", "--wait-ready=false", path); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	return name
}

// TestTLSProbes: an HTTPS httpGet probe and a gRPC probe in TLS mode,
// against etcd serving its client port over TLS with a certificate of its
// own (--auto-tls: self-signed, which probes do not check), make their
// containers ready: the attempts run in minipod-probe, on the connection
// the monitor opened in the pod. gRPC in plaintext against the TLS port
// fails, with the kubelet's message.
func TestTLSProbes(t *testing.T) {
	name := upEtcdProbed(t, "tlsprobe", `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.1-0
    command: ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd", "--auto-tls", "--listen-client-urls", "https://0.0.0.0:2379", "--advertise-client-urls", "https://127.0.0.1:2379"]
    readinessProbe:
      httpGet: {scheme: HTTPS, port: 2379, path: /health}
      periodSeconds: 1
  - name: grpctls
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      grpc: {port: 2379, mode: TLS}
      periodSeconds: 1
  - name: plaintext
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      grpc: {port: 2379}
      periodSeconds: 1
`)
	waitPod(t, name, 30*time.Second, "etcd and grpctls ready", func(p *corev1.Pod) bool {
		return ctrStatus(t, p, "etcd").Ready && ctrStatus(t, p, "grpctls").Ready
	})
	waitFor(t, 20*time.Second, "the plaintext probe's failure in the events", func() bool {
		return strings.Contains(mustMP(t, "describe", name), "Readiness probe failed: error:")
	})
	if ctrStatus(t, getPod(t, name), "plaintext").Ready {
		t.Error("a gRPC probe in plaintext against a TLS port succeeded")
	}
}

// TestProbeHelperNobodyMayRun: a minipod-probe that only root may execute
// (mode 0700) is not handed to the pod: the helper runs as nobody, and
// every HTTPS and gRPC probe would fail with "permission denied". `up`
// says so, and the pod runs.
func TestProbeHelperNobodyMayRun(t *testing.T) {
	root(t)
	dir := t.TempDir() // 0700, root's
	bin := filepath.Join(dir, "minipod")
	copyInto(t, exe, bin)
	helper := filepath.Join(dir, "minipod-probe")
	copyInto(t, filepath.Join(filepath.Dir(exe), "minipod-probe"), helper)
	if err := os.Chmod(helper, 0o700); err != nil {
		t.Fatal(err)
	}
	name := podName("probemode")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
`, name))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })
	out, err := exec.Command(bin, "up", "-d", path).CombinedOutput()
	if err != nil {
		t.Fatalf("up: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "minipod-probe is not used: it runs as nobody, who may not execute it (mode 0700)") {
		t.Errorf("up said %q", out)
	}
}

// TestProbeHelperClosesOnlyInherited: minipod-probe closes what it
// inherited by mistake (a descriptor without close-on-exec) before it
// talks to the pod's server, and nothing of Go's runtime: a non-blocking
// standard input has the runtime open its epoll before main, right above
// the descriptors handed over, where a close_range from 4 up ended it.
func TestProbeHelperClosesOnlyInherited(t *testing.T) {
	root(t)
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	server := os.NewFile(uintptr(pair[0]), "server")
	defer server.Close()
	defer unix.Close(pair[1])
	var in [2]int
	if err := unix.Pipe2(in[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	leakR, leakW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer leakR.Close()
	req := `{"op":"get","within":10000000000,"url":"https://10.0.0.1/","host":"10.0.0.1"}` + "\n"
	if _, err := unix.Write(in[1], []byte(req)); err != nil {
		t.Fatal(err)
	}
	unix.Close(in[1])
	out, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// 0 the request, 1 the result, 2 stderr (the result pipe too), 3 the
	// connection, 4 a pipe's write end passed on by mistake.
	pid, err := syscall.ForkExec(filepath.Join(filepath.Dir(exe), "minipod-probe"), []string{"minipod-probe"}, &syscall.ProcAttr{
		Env:   []string{"GOMAXPROCS=1"},
		Files: []uintptr{uintptr(in[0]), outW.Fd(), outW.Fd(), uintptr(pair[1]), leakW.Fd()},
	})
	unix.Close(in[0])
	leakW.Close()
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Wait4(pid, nil, 0, nil) //nolint:errcheck // reaped once it ends
	// EOF on the leaked pipe while the helper waits for the server's
	// hello: it closed its copy.
	_ = leakR.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := leakR.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("the inherited descriptor stayed open in minipod-probe (read: %d, %v)", n, err)
	}
	if stat := readFile(t, "/proc/"+strconv.Itoa(pid)+"/stat"); strings.Contains(stat, ") Z ") {
		t.Errorf("minipod-probe ended before the server answered: %s", stat)
	}
	server.Close()
	res, _ := io.ReadAll(out)
	var r probereq.Result
	if err := json.Unmarshal(res, &r); err != nil || r.Error == "" || strings.Contains(r.Error, "take the connection") {
		t.Errorf("minipod-probe's result %q (%v): want a failed handshake on the connection", res, err)
	}
}
