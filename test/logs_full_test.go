package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLogFilesystemFull: when the log filesystem is full, a container's
// output is lost (the container is not held), and the pod's events say
// so, naming the container and the error. The logs live on a 64 KiB
// tmpfs of the test's own (MINIPOD_LOG_DIR), which down still empties.
func TestLogFilesystemFull(t *testing.T) {
	root(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	o := runOpts{env: []string{"MINIPOD_LOG_DIR=" + dir}}
	name := podName("logfull")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: chatty
    image: busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo line $i of output that fills the log filesystem quickly; done"]
`, name), o)
	waitFor(t, 20*time.Second, "a FailedLogWrite event", func() bool {
		return strings.Contains(mpWith(t, o, "describe", name).stdout, "FailedLogWrite")
	})
	d := mpWith(t, o, "describe", name).stdout
	if !strings.Contains(d, "Output of container chatty is not all in its log") || !strings.Contains(d, "no space left on device") {
		t.Errorf("describe:\n%s", d)
	}
	p := getPod(t, name)
	if s := ctrStatus(t, p, "chatty"); s.State.Running == nil {
		t.Errorf("the container is held or gone: %+v", s.State)
	}
	mpWith(t, o, "down", name)
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) > 0 {
		entries, _ := os.ReadDir(dir)
		t.Errorf("down left logs on the full filesystem: %v", entries)
	}
}
