package test

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestUpAttached: `up` without -d streams each container's output prefixed
// with its name, and Ctrl-C (SIGINT) deletes the pod, leaving nothing.
func TestUpAttached(t *testing.T) {
	root(t)
	name := podName("attach")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: talker
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo line$i; sleep 0.2; done"]
  - name: quiet
    image: busybox
    command: ["sh", "-c", "echo hello from quiet; trap 'exit 0' TERM; sleep 3600 & wait"]
`, name))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() {
		_ = exec.Command(exe, "down", name).Run() // only if the test failed early
		checkGone(t, name, before, nil)
	})
	cmd := exec.Command(exe, "up", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	want := map[string]bool{"pod/" + name + " created": false, "[talker] line2": false, "[quiet] hello from quiet": false}
	deadline := time.After(60 * time.Second)
	for missing(want) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("up exited early; still waiting for %v", want)
			}
			if _, ok := want[l]; ok {
				want[l] = true
			}
		case <-deadline:
			t.Fatalf("attached output never showed %v", want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines { // keep draining so up never blocks writing
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("up after Ctrl-C: %v", err)
	}
	if r := mp(t, "get", name); r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("pod still there after Ctrl-C: %s", r)
	}
}

func missing(want map[string]bool) bool {
	for _, seen := range want {
		if !seen {
			return true
		}
	}
	return false
}
