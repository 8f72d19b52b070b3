package test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// stopperPod shares its PID namespace; after a moment "stopper" sends
// SIGSTOP to every process it can see, over and over: pause, the other
// container, and whatever minipod forks into the pod (an exec'd command
// before it execs, a container's init).
const stopperPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - name: victim
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
  - name: stopper
    image: busybox
    command: ["sh", "-c", "sleep 2; while true; do kill -STOP -1 2>/dev/null; done"]
`

// TestAttackStopTheMonitor: a container that stops the processes minipod
// forks into the pod must not be able to wedge the pod's monitor: an exec
// whose command is stopped before it runs ends (an error, or the command's
// fate) instead of hanging the monitor for every other request, and
// `down` still deletes the pod in bounded time, leaving nothing. (A stopped
// fork used to hold the lock that routes exits, and `down` then gave up.)
func TestAttackStopTheMonitor(t *testing.T) {
	root(t)
	name := podName("atk-stop")
	// A monitor that collects garbage all the time (GOMEMLIMIT reaches it
	// through up) meets a stopped fork on every try: a collection used to
	// wait on the forking thread forever and freeze the watchdog with
	// every other goroutine.
	upPod(t, name, tmpl(stopperPod, name), runOpts{env: []string{"GOMEMLIMIT=2MiB"}})
	time.Sleep(3 * time.Second) // the stopper is at work
	uid := getPod(t, name).UID
	for i := 0; i < 2; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		cmd := exec.CommandContext(ctx, exe, "exec", name, "-c", "victim", "--", "true")
		start := time.Now()
		_ = cmd.Run() // success or a refusal: both fine, hanging is not
		hung := ctx.Err() != nil
		cancel()
		if hung {
			// Once `true` runs, stopping it is the container's business
			// (kubectl exec would wait too); what must never stay is a
			// stopped fork of minipod's that has not exec'd yet.
			if comms := stoppedForks(t, string(uid), "victim"); len(comms) > 0 {
				t.Fatalf("exec %d hung for %v against a stopped fork: %v", i, time.Since(start), comms)
			}
			t.Logf("exec %d: the command itself was stopped after it started", i)
			continue
		}
		t.Logf("exec %d ended after %v", i, time.Since(start))
	}
	start := time.Now()
	mustMP(t, "down", name)
	if d := time.Since(start); d > 25*time.Second {
		t.Errorf("down took %v against a container stopping everything", d)
	}
}

// stoppedForks lists the processes in the container's cgroup that are
// still minipod's own fork, not yet the exec'd command: comm is not
// "true" and not the container's shell or sleep.
func stoppedForks(t *testing.T, uid, ctr string) []string {
	t.Helper()
	dir, _ := docCgroupDir(t, uid, ctr, "pids")
	var out []string
	for _, pid := range strings.Fields(readCgroupFile(t, dir, "cgroup.procs")) {
		b, err := os.ReadFile("/proc/" + pid + "/comm")
		if err != nil {
			continue
		}
		switch comm := strings.TrimSpace(string(b)); comm {
		case "true", "sh", "sleep":
		default:
			out = append(out, pid+":"+comm)
		}
	}
	return out
}
