package test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestNoHostFdInContainer: a descriptor the caller of `up` left open (here
// a host directory, the CVE-2024-21626 shape) never reaches a container.
func TestNoHostFdInContainer(t *testing.T) {
	root(t)
	name := podName("fds")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
`, name))
	dir, err := os.Open("/etc")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })
	cmd := exec.Command(exe, "up", "-d", path)
	cmd.ExtraFiles = []*os.File{dir} // fd 3 in minipod, not close-on-exec
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	got := strings.Fields(execOut(t, name, "main", "ls", "/proc/1/fd"))
	if strings.Join(got, " ") != "0 1 2" {
		t.Errorf("container PID 1 has fds %v, want only 0 1 2", got)
	}
}

// TestDataTreeIsPrivate: containers (root, CAP_FSETID) can make setuid-root
// files in their layers and volumes; no other host user may reach them.
func TestDataTreeIsPrivate(t *testing.T) {
	root(t)
	name := podName("private")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: v
    emptyDir: {}
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "cp /bin/busybox /v/sb && chmod 4755 /v/sb && sleep 3600"]
    volumeMounts:
    - name: v
      mountPath: /v
`, name))
	for _, dir := range []string{"/var/lib/minipod", "/var/lib/minipod/images"} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: other users can reach setuid files below it", dir, st.Mode().Perm())
		}
	}
}
