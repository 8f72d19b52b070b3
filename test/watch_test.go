package test

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGetWatch: `get -w` prints the table, then a row each time the pod's
// status changes (as `kubectl get pods -w`), until interrupted.
func TestGetWatch(t *testing.T) {
	root(t)
	name := podName("watch")
	cmd := exec.Command(exe, "get", "-w")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 200)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 3"]
`, name))
	seen := map[string]bool{}
	deadline := time.After(30 * time.Second)
	for !(seen["Running"] && seen["Error"]) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("get -w ended early; saw %v; stderr: %s", seen, stderr.String())
			}
			if f := strings.Fields(l); len(f) >= 3 && f[0] == name {
				seen[f[2]] = true
			}
		case <-deadline:
			t.Fatalf("get -w never showed Running then Error for %s; saw %v", name, seen)
		}
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	go func() {
		for range lines {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Errorf("get -w after Ctrl-C: %v", err)
	}
}
