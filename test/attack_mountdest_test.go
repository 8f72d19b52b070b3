package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestAttackMountDestinationSymlinks: an image whose volume mount
// destinations are symlinks to a host directory (absolute, and as the
// parent of a destination that does not exist yet), and a destination
// that names the host directory's own path, get their volumes inside the
// container's root, or the start fails naming the mount; never a mount
// over, or a directory made in, the host's directory.
func TestAttackMountDestinationSymlinks(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	hostDir := t.TempDir()
	layer := layerOf(t, symlinkEntry("data", hostDir), symlinkEntry("parent", hostDir))
	ref := reg.push(t, "test/"+uniq("mountdest")+":1", buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t), layer))
	rmiAtEnd(t, ref)
	name := podName("mountdest")
	r := tryUp(t, name, tmpl(`apiVersion: v1
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
    image: {{IMAGE}}
    command: ["sh", "-c", "echo pwned > /data/x; echo pwned > /parent/new/x; sleep 3600"]
    volumeMounts:
    - {name: v, mountPath: /data}
    - {name: v, mountPath: /parent/new}
  - name: plain
    image: {{IMAGE}}
    command: ["sh", "-c", "sleep 3600"]
    volumeMounts:
    - {name: v, mountPath: {{HOSTDIR}}/made}
`, name, "IMAGE", ref, "HOSTDIR", hostDir), reg.env())
	t.Logf("up: exit %d %s", r.code, strings.TrimSpace(r.stderr))
	waitFor(t, 30*time.Second, "main started or failed", func() bool {
		s := ctrStatus(t, getPod(t, name), "main")
		return s.State.Running != nil || s.State.Terminated != nil || s.State.Waiting != nil && s.State.Waiting.Reason != "ContainerCreating"
	})
	time.Sleep(500 * time.Millisecond) // its command writes at once
	ents, err := os.ReadDir(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("the container reached the host directory: %s", filepath.Join(hostDir, e.Name()))
	}
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil && strings.Contains(string(mi), hostDir) {
		t.Errorf("a mount over the host directory %s is visible on the host", hostDir)
	}
}
