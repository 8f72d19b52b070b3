package test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const configMapPod = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{NAME}}-cfg
data:
  a: orig
  b: orig-b
---
apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: cfg
    configMap:
      name: {{NAME}}-cfg
      items: [{key: a, path: a}, {key: b, path: sub/b}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: cfg, mountPath: /etc/a.conf, subPath: a}
    - {name: cfg, mountPath: /sub, subPath: sub}
`

// TestAttackConfigMapWritable: a configMap volume was writable: a container
// rewrote its configuration and planted a symlink in the volume's host
// directory. Without readOnly: true it must still refuse writes, new files
// and symlinks (EROFS), mounted whole or through subPath (file or
// directory), and its files must stay as the manifest has them.
func TestAttackConfigMapWritable(t *testing.T) {
	root(t)
	name := podName("atk-cm")
	upPod(t, name, tmpl(configMapPod, name))
	for _, cmd := range []string{
		"echo evil > /cfg/a", "touch /cfg/new", "ln -s / /cfg/escape", "mkdir /cfg/d",
		"echo evil > /etc/a.conf",
		"echo evil > /sub/b", "touch /sub/new", "ln -s / /sub/escape",
	} {
		r := mp(t, "exec", name, "--", "sh", "-c", cmd)
		if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("%q in a configMap volume: want Read-only file system, got %s", cmd, r)
		}
	}
	got := execOut(t, name, "", "sh", "-c", "cat /cfg/a /etc/a.conf /sub/b; ls -A /cfg /sub")
	if want := "origorigorig-b/cfg:\na\nsub\n\n/sub:\nb\n"; got != want {
		t.Errorf("the configMap volume reads %q, want %q", got, want)
	}
	_ = filepath.WalkDir("/var/lib/minipod/pods/"+name, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 && strings.HasSuffix(p, "escape") {
			t.Errorf("the container planted the symlink %s on the host", p)
		}
		return nil
	})
}
