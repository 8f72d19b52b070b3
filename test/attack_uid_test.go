package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// uidPod sets metadata.uid, which names the pod's log directory
// (/var/log/pods/<ns>_<pod>_<uid>).
const uidPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  uid: "{{UID}}"
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo logged; ` + idle + `"]
`

// TestAttackUIDPath: a metadata.uid with ".." once put the pod's logs
// outside /var/log/pods, and `down` then deleted that directory. Here the
// uid points at a decoy directory of the test's own: up must refuse the
// manifest naming metadata.uid, and the decoy must hold exactly what it held
// before, during the pod's life and after down.
func TestAttackUIDPath(t *testing.T) {
	root(t)
	decoy := filepath.Join(t.TempDir(), "decoy")
	if err := os.MkdirAll(decoy, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(decoy, "keep"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Registered before tryUp, so it runs after the pod's down.
	t.Cleanup(func() { checkDecoy(t, decoy, "after down") })
	name := podName("atk-uid")
	// From /var/log/pods/default_<name>_ four ".." reach "/".
	uid := "/../../../.." + decoy
	r := tryUp(t, name, tmpl(uidPod, name, "UID", uid))
	if r.code == 0 {
		time.Sleep(500 * time.Millisecond) // let the container log its line
		checkDecoy(t, decoy, "while the pod runs")
		t.Errorf("up accepted metadata.uid %q: %s", uid, r)
		return
	}
	if !strings.Contains(r.stderr, "metadata.uid") {
		t.Errorf("up refused, but without naming metadata.uid: %s", r)
	}
	checkDecoy(t, decoy, "after up")
}

// checkDecoy requires decoy to hold only its file keep, unchanged.
func checkDecoy(t *testing.T, decoy, when string) {
	t.Helper()
	ents, err := os.ReadDir(decoy)
	if err != nil {
		t.Errorf("%s: the decoy directory %s is gone: %v", when, decoy, err)
		return
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "keep" {
		t.Errorf("%s: the decoy directory holds %v, want only keep: minipod wrote outside /var/log/pods", when, names)
	}
	if b, err := os.ReadFile(filepath.Join(decoy, "keep")); err != nil || string(b) != "mine\n" {
		t.Errorf("%s: decoy/keep is %q (%v), want it unchanged", when, b, err)
	}
}
