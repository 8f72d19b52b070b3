package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const imageConfig = `{"Entrypoint":["/entry.sh"],"Cmd":["from-cmd"],"WorkingDir":"/srv",
"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello","WHO=image"]}`

const entryScript = `#!/bin/sh
echo "args=$* pwd=$(pwd) greeting=$GREETING who=$WHO"
trap 'exit 0' TERM
while true; do sleep 1; done
`

const imagePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: plain
    image: e2e/entry:v1
  - name: withargs
    image: e2e/entry:v1
    args: ["x", "y"]
    env:
    - name: WHO
      value: pod
  - name: withcmd
    image: e2e/entry:v1
    command: ["/entry.sh", "c"]
    workingDir: /tmp
`

// TestImageConfig: a crafted image in a private store (MINIPOD_IMAGES);
// its Entrypoint, Cmd, Env and WorkingDir combine with the container's
// command, args, env and workingDir the way Kubernetes does.
func TestImageConfig(t *testing.T) {
	root(t)
	store := t.TempDir()
	dir := filepath.Join(store, "e2e", "entry", "v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", "/var/lib/minipod/images/busybox/latest/rootfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp busybox rootfs: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rootfs", "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "entry.sh"), []byte(entryScript), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(imageConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	env := runOpts{env: []string{"MINIPOD_IMAGES=" + store}}

	name := podName("image")
	upPod(t, name, tmpl(imagePod, name), env)
	want := map[string]string{
		"plain":    "args=from-cmd pwd=/srv greeting=hello who=image\n",
		"withargs": "args=x y pwd=/srv greeting=hello who=pod\n",
		"withcmd":  "args=c pwd=/tmp greeting=hello who=image\n",
	}
	for c, w := range want {
		var got string
		waitFor(t, 30*time.Second, c+"'s first line", func() bool {
			got = mpWith(t, env, "logs", name, "-c", c).stdout
			return got != ""
		})
		if got != w {
			t.Errorf("%s logged %q, want %q", c, got, w)
		}
	}
	// exec gets the container's environment and working directory.
	if got := mpWith(t, env, "exec", name, "-c", "withargs", "--", "sh", "-c", `echo "$(pwd) $WHO"`); got.stdout != "/srv pod\n" {
		t.Errorf("exec in withargs: %s, want \"/srv pod\"", got)
	}
	// Without MINIPOD_IMAGES the image is unknown.
	other := podName("image-missing")
	r := tryUp(t, other, tmpl(imagePod, other))
	if r.code == 0 {
		t.Errorf("up found e2e/entry:v1 outside its store: %s", r)
	} else if !strings.Contains(r.stderr, "e2e/entry:v1") {
		t.Errorf("up: want an error naming the image, got %s", r)
	}
}
