package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestAbandonedCreation: an `up` killed before it started the pod's
// monitor leaves a directory nobody holds; get no longer lists it (no
// "0/0 Pending 292y" row) and the next up of the name succeeds, whatever
// moment the kill came at.
func TestAbandonedCreation(t *testing.T) {
	root(t)
	name := podName("abandoned")
	run := filepath.Join("/run/minipod", name)
	abandon(t, run)
	if out := mustMP(t, "get"); strings.Contains(out, name) {
		t.Errorf("get lists the abandoned creation:\n%s", out)
	}
	// This get, or another test's running at the same time, removes it.
	waitFor(t, 5*time.Second, "the abandoned directory removed", func() bool {
		_, err := os.Stat(run)
		return os.IsNotExist(err)
	})
	text := tmpl(twoIdle, name, "SHARE", "false")
	path := writeManifest(t, name, text)
	abandon(t, run)
	if r := mp(t, "up", "-d", path); r.code != 0 {
		t.Fatalf("up over an abandoned creation: %s", r)
	}
	mustMP(t, "down", name)
	// up killed at once, again and again.
	for i := 0; i < 10; i++ {
		cmd := exec.Command(exe, "up", "-d", path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		mp(t, "down", "--ignore-not-found", name) // a monitor that did start
	}
	time.Sleep(2100 * time.Millisecond) // what the last kill left is no longer new
	// Reclaimers race: gets in parallel with the up, none may remove the
	// pod up makes in the abandoned one's place.
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			for {
				select {
				case <-done:
					return
				default:
					_ = exec.Command(exe, "get").Run()
				}
			}
		}()
	}
	upPod(t, name, text)
	close(done)
	if st, err := readState(name); err != nil || st.Monitor.PID == 0 {
		t.Errorf("the pod up made over an abandoned creation is gone: %v", err)
	}
	if out := mustMP(t, "get"); strings.Contains(out, "292y") {
		t.Errorf("get shows a pod of age 292y:\n%s", out)
	}
}

// abandon leaves at run what an `up` killed right after it claimed the
// name leaves: the directory and the lock file, nobody holding it.
func abandon(t *testing.T, run string) {
	t.Helper()
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, "lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(run, old, old); err != nil {
		t.Fatal(err)
	}
}

// TestDownRacingUp: `down` run while `up -d` is still creating the pod
// (from before the directory exists to after the containers start) deletes
// it; up then fails saying so, never with a temporary file's error or a
// made-up timeout, and nothing of the pod is left.
func TestDownRacingUp(t *testing.T) {
	root(t)
	for i := 0; i < 8; i++ {
		name := podName("race")
		path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
`, name))
		before := testutil.Snapshot(t, exe)
		up := make(chan result, 1)
		go func() { up <- mp(t, "up", "-d", path) }()
		time.Sleep(time.Duration(i) * 4 * time.Millisecond) // from no pod yet to a started one
		if r := mp(t, "down", "--ignore-not-found", name); r.code != 0 {
			t.Errorf("down racing up: %s", r)
		}
		r := <-up
		if strings.Contains(r.stderr, ".tmp") || strings.Contains(r.stderr, "did not report within") {
			t.Errorf("up raced by down: %s", r)
		}
		if r.code != 0 && !strings.Contains(r.stderr, "was deleted while it started") {
			t.Errorf("up raced by down fails without saying why: %s", r)
		}
		// up may have won (the pod was created after down looked): then
		// this down deletes it.
		mp(t, "down", "--ignore-not-found", name)
		checkGone(t, name, before, nil)
	}
}
