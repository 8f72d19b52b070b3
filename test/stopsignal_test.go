package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// stopSignalPod's containers print which signal stopped them; the test
// has them stopped by their liveness probe, which they fail on demand.
const stopSignalPod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  os: {name: linux}
  terminationGracePeriodSeconds: 5
  containers:
  - name: spec
    image: busybox
    lifecycle: {stopSignal: SIGUSR1}
    command: ["sh", "-c", "` + signalReporter + `"]
    livenessProbe: ` + killOnDemand + `
  - name: image
    image: {{IMAGE}}
    command: ["sh", "-c", "` + signalReporter + `"]
    livenessProbe: ` + killOnDemand + `
  - name: both
    image: {{IMAGE}}
    lifecycle: {stopSignal: SIGUSR1}
    command: ["sh", "-c", "` + signalReporter + `"]
    livenessProbe: ` + killOnDemand + `
  - name: neither
    image: busybox
    command: ["sh", "-c", "` + signalReporter + `"]
    livenessProbe: ` + killOnDemand + `
`

const (
	signalReporter = `for s in TERM USR1 USR2; do trap \"echo got-$s; exit 0\" $s; done; while true; do sleep 0.1; done`
	killOnDemand   = `{exec: {command: ["sh", "-c", "test ! -e /tmp/kill"]}, periodSeconds: 1, failureThreshold: 1}`
)

// TestStopSignal: the signal that stops a container is its
// lifecycle.stopSignal, else its image's StopSignal, else SIGTERM, on every
// stop (here a liveness kill); containerStatuses[].stopSignal says which.
// The image is a directory image made here with StopSignal SIGUSR2.
func TestStopSignal(t *testing.T) {
	root(t)
	name := podName("stopsig")
	img := stopSignalImage(t, name)
	upPod(t, name, tmpl(stopSignalPod, name, "IMAGE", img))
	p := getPod(t, name)
	want := map[string]string{"spec": "SIGUSR1", "image": "SIGUSR2", "both": "SIGUSR1", "neither": "SIGTERM"}
	for ctr, sig := range want {
		if got := ctrStatus(t, p, ctr).StopSignal; got == nil || string(*got) != sig {
			t.Errorf("%s: status stopSignal %v, want %s", ctr, got, sig)
		}
		execOut(t, name, ctr, "touch", "/tmp/kill")
	}
	waitPod(t, name, 30*time.Second, "every container restarted", func(p *corev1.Pod) bool {
		for ctr := range want {
			if ctrStatus(t, p, ctr).RestartCount < 1 {
				return false
			}
		}
		return true
	})
	for ctr, sig := range want {
		if got := mp(t, "logs", name, "-c", ctr, "-p").stdout; got != "got-"+strings.TrimPrefix(sig, "SIG")+"\n" {
			t.Errorf("%s was stopped with %q, want %s", ctr, got, sig)
		}
	}
}

// stopSignalImage makes a directory image, busybox with StopSignal
// SIGUSR2 in its config, removed when the test ends.
func stopSignalImage(t *testing.T, tag string) string {
	t.Helper()
	root := os.Getenv("MINIPOD_IMAGES")
	if root == "" {
		root = "/var/lib/minipod/images"
	}
	dir := filepath.Join(root, "minipod-test-stopsignal", tag)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.Remove(filepath.Dir(dir)) // once no other test's tag is left
	})
	if out, err := exec.Command("cp", "-a", filepath.Join(root, "busybox", "latest", "rootfs"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copy busybox: %v\n%s", err, out)
	}
	cfg := `{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"StopSignal":"SIGUSR2"}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return "minipod-test-stopsignal:" + tag
}

// TestSignalsNotIgnored: a container's processes (its first one, and an
// exec'd one) start with no signal ignored: an ignored SIGHUP or SIGPIPE
// inherited from minipod would survive the exec, and a stopSignal of
// SIGHUP would then do nothing.
func TestSignalsNotIgnored(t *testing.T) {
	root(t)
	name := podName("sigign")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  os: {name: linux}
  terminationGracePeriodSeconds: 30
  containers:
  - name: c
    image: busybox
    lifecycle: {stopSignal: SIGHUP}
    command: ["sh", "-c", "trap 'exit 0' HUP; while true; do sleep 0.1; done"]
`, name))
	for _, pid := range []string{"1", "self"} {
		status := execOut(t, name, "c", "cat", "/proc/"+pid+"/status")
		for _, l := range strings.Split(status, "\n") {
			// SIGHUP is bit 0, SIGPIPE bit 12 (the shell ignores SIGQUIT
			// itself: not inherited).
			if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
				mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
				if err != nil || mask&(1<<0|1<<12) != 0 {
					t.Errorf("/proc/%s/status: %s", pid, l)
				}
			}
		}
	}
	// A shell cannot trap a signal ignored when it started (POSIX): only
	// if SIGHUP came in with its default action does the trap end it,
	// long before the 30 s grace period.
	start := time.Now()
	mustMP(t, "down", name)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("down of a container stopped by SIGHUP took %v: the signal was ignored", d)
	}
}
