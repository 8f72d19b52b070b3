package test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

const execPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
  - name: quits
    image: busybox
    command: ["true"]
`

// TestExec: exit codes, stdin, tty, the default container and failures.
func TestExec(t *testing.T) {
	root(t)
	name := podName("exec")
	upPod(t, name, tmpl(execPod, name))

	t.Run("exit code", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "main", "--", "sh", "-c", "exit 7")
		if r.code != 7 {
			t.Errorf("want exit 7, got %s", r)
		}
	})
	t.Run("default container", func(t *testing.T) {
		r := mp(t, "exec", name, "--", "hostname")
		if r.code != 0 || strings.TrimSpace(r.stdout) != name {
			t.Errorf("want the pod's hostname, got %s", r)
		}
		if !strings.Contains(r.stderr, `Defaulted container "main"`) {
			t.Errorf("want a Defaulted container \"main\" note on stderr, got %q", r.stderr)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		r := mpWith(t, runOpts{stdin: "hello\nworld\n"}, "exec", "-i", name, "-c", "main", "--", "cat")
		if r.code != 0 || r.stdout != "hello\nworld\n" {
			t.Errorf("want stdin echoed back, got %s", r)
		}
		// Without -i the command gets no input.
		r = mpWith(t, runOpts{stdin: "hello\n"}, "exec", name, "-c", "main", "--", "cat")
		if r.code != 0 || r.stdout != "" {
			t.Errorf("without -i: want no output, got %s", r)
		}
	})
	t.Run("tty", func(t *testing.T) {
		r := mp(t, "exec", "-t", name, "-c", "main", "--", "tty")
		if r.code != 0 || !regexp.MustCompile(`^/dev/pts/\d+\r?\n$`).MatchString(r.stdout) {
			t.Errorf("want /dev/pts/N, got %s", r)
		}
		r = mp(t, "exec", name, "-c", "main", "--", "tty")
		if r.code == 0 || !strings.Contains(r.stdout, "not a tty") {
			t.Errorf("without -t: want not a tty, got %s", r)
		}
	})
	t.Run("unknown container", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "nosuch", "--", "true")
		if r.code == 0 || !strings.Contains(r.stderr, "nosuch") {
			t.Errorf("want a failure naming the container, got %s", r)
		}
	})
	t.Run("unknown pod", func(t *testing.T) {
		missing := podName("exec-missing")
		r := mp(t, "exec", missing, "--", "true")
		if r.code == 0 || !strings.Contains(r.stderr, "not found") || !strings.Contains(r.stderr, missing) {
			t.Errorf("want pod not found, got %s", r)
		}
	})
	t.Run("unknown command", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "main", "--", "/no/such/cmd")
		if r.code == 0 || !strings.Contains(r.stderr, "/no/such/cmd") {
			t.Errorf("want a failure naming the command, got %s", r)
		}
	})
	t.Run("terminated container", func(t *testing.T) {
		waitFor(t, 30*time.Second, "container quits terminated", func() bool {
			s := ctrStatus(t, getPod(t, name), "quits")
			return s.State.Terminated != nil
		})
		r := mp(t, "exec", name, "-c", "quits", "--", "true")
		if r.code == 0 || !strings.Contains(r.stderr, "not running") {
			t.Errorf("want container not running, got %s", r)
		}
	})
}
