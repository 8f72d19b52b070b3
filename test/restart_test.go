package test

import (
	"testing"
	"time"
)

const onePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: {{POLICY}}
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "{{SCRIPT}}"]
`

// TestRestartPolicies: what happens when the only container exits, under
// each restartPolicy.
func TestRestartPolicies(t *testing.T) {
	root(t)
	t.Run("Never exit 1", func(t *testing.T) {
		t.Parallel()
		name := podName("never")
		tryUp(t, name, tmpl(onePod, name, "POLICY", "Never", "SCRIPT", "echo bye; exit 1"))
		row := waitStatus(t, name, "Error", 60*time.Second)
		if n := restarts(t, row); n != 0 || row["READY"] != "0/1" {
			t.Errorf("get: %v, want READY 0/1 RESTARTS 0", row)
		}
		p := getPod(t, name)
		s := ctrStatus(t, p, "main")
		if p.Status.Phase != "Failed" || s.State.Terminated == nil || s.State.Terminated.ExitCode != 1 || s.State.Terminated.Reason != "Error" {
			t.Errorf("phase %s state %+v, want Failed, terminated Error exit 1", p.Status.Phase, s.State)
		}
	})
	t.Run("OnFailure exit 0", func(t *testing.T) {
		t.Parallel()
		name := podName("onfailure")
		tryUp(t, name, tmpl(onePod, name, "POLICY", "OnFailure", "SCRIPT", "echo bye; exit 0"))
		row := waitStatus(t, name, "Completed", 60*time.Second)
		if n := restarts(t, row); n != 0 {
			t.Errorf("get: %v, want RESTARTS 0", row)
		}
		p := getPod(t, name)
		s := ctrStatus(t, p, "main")
		if p.Status.Phase != "Succeeded" || s.RestartCount != 0 || s.State.Terminated == nil || s.State.Terminated.Reason != "Completed" {
			t.Errorf("phase %s restarts %d state %+v, want Succeeded, 0, terminated Completed", p.Status.Phase, s.RestartCount, s.State)
		}
	})
	t.Run("Always exit 0", func(t *testing.T) {
		t.Parallel()
		name := podName("always")
		tryUp(t, name, tmpl(onePod, name, "POLICY", "Always", "SCRIPT", "echo run; exit 0"))
		sawBackOff := false
		var row map[string]string
		// First restart at once, the next after 10 s of back-off.
		waitFor(t, 90*time.Second, "RESTARTS >= 2", func() bool {
			row = getRow(t, name)
			if row["STATUS"] == "CrashLoopBackOff" {
				sawBackOff = true
			}
			return restarts(t, row) >= 2
		})
		if !sawBackOff {
			t.Errorf("never saw STATUS CrashLoopBackOff while the container restarted")
		}
		p := getPod(t, name)
		s := ctrStatus(t, p, "main")
		if s.RestartCount < 2 || s.LastTerminationState.Terminated == nil || s.LastTerminationState.Terminated.Reason != "Completed" {
			t.Errorf("restartCount %d lastState %+v, want >= 2 and terminated Completed", s.RestartCount, s.LastTerminationState)
		}
		if p.Status.Phase != "Running" {
			t.Errorf("phase %s, want Running", p.Status.Phase)
		}
	})
}
