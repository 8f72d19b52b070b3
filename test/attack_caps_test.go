package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// defaultCapMask is containerd's 14 default capabilities as /proc shows
// them: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
// NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
const defaultCapMask = "00000000a80425fb"

// capVolumePod mounts a configMap whose files pose as the kernel's
// /proc/sys/kernel/cap_last_cap at MOUNT: a runtime that reads the highest
// capability number from inside the container then drops nothing.
const capVolumePod = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{NAME}}-fake-proc
data:
  cap_last_cap: "0"
  nested: "0"
---
apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  volumes:
  - name: fake
    configMap:
      name: {{NAME}}-fake-proc
      items:
      - {key: cap_last_cap, path: {{ITEM}}}
  containers:
  - name: main
    image: ` + attackImage + `
    command: ["sh", "-c", "/attack caps; ` + idle + `"]
    volumeMounts:
    - name: fake
      mountPath: {{MOUNT}}
`

// TestAttackCapLastCap: a volume over /proc (or /sys) once fooled the
// capability drop into keeping every capability. Volume destinations in or
// under /proc and /sys are refused by up, naming the field; an ordinary
// container and an exec'd process have exactly the 14 default capabilities.
func TestAttackCapLastCap(t *testing.T) {
	root(t)
	needAttackImage(t)
	for _, c := range []struct{ mount, item string }{
		{"/proc/sys/kernel", "cap_last_cap"},
		{"/proc", "sys/kernel/cap_last_cap"},
		{"/sys/kernel", "cap_last_cap"},
	} {
		t.Run(c.mount, func(t *testing.T) {
			t.Parallel()
			name := podName("atk-cap")
			r := tryUp(t, name, tmpl(capVolumePod, name, "MOUNT", c.mount, "ITEM", c.item))
			const field = "spec.containers[0].volumeMounts[0].mountPath"
			if r.code == 0 {
				logs := mp(t, "logs", name).stdout
				t.Fatalf("up accepted a volume at %s; the container got %q\n%s", c.mount, statusLine(logs, "CapEff"), r)
			}
			if !strings.Contains(r.stderr, field) {
				t.Errorf("up refused, but without naming %s: %s", field, r)
			}
		})
	}
	t.Run("image symlink into /proc", func(t *testing.T) {
		t.Parallel()
		checkSymlinkedProcVolume(t)
	})
	t.Run("default set", func(t *testing.T) {
		t.Parallel()
		name := podName("atk-capok")
		upPod(t, name, attackPodText(name, idleCommand, "", ""))
		checkCaps(t, "main process", execOut(t, name, "", "cat", "/proc/1/status"))
		checkCaps(t, "exec'd process", execOut(t, name, "", "/attack", "caps"))
	})
}

// checkCaps requires the default capabilities in status, nothing ambient
// or inheritable.
func checkCaps(t *testing.T, who, status string) {
	t.Helper()
	for key, want := range map[string]string{
		"CapEff": defaultCapMask, "CapPrm": defaultCapMask, "CapBnd": defaultCapMask,
		"CapAmb": "0000000000000000", "CapInh": "0000000000000000",
	} {
		if got := statusLine(status, key); got != want {
			t.Errorf("%s: %s %q, want %s", who, key, got, want)
		}
	}
}

// checkSymlinkedProcVolume: the same volume at /data, an innocent path,
// where the image has /data -> /proc/sys/kernel: resolved in the root, the
// mount lands on /proc/sys/kernel, which no check of the mountPath text
// sees. The container must not start (the runtime checks where the mount
// really lands, as runc does), and up names why; whatever happens, no
// process of it may hold more than the 14 default capabilities.
func checkSymlinkedProcVolume(t *testing.T) {
	t.Helper()
	store := privateBusybox(t, "/")
	link := filepath.Join(store, "e2e", "busybox", "v1", "rootfs", "data")
	if err := os.Symlink("/proc/sys/kernel", link); err != nil {
		t.Fatal(err)
	}
	o := runOpts{env: []string{"MINIPOD_IMAGES=" + store}}
	name := podName("atk-cap-link")
	text := strings.Replace(tmpl(capVolumePod, name, "MOUNT", "/data", "ITEM", "cap_last_cap"),
		"image: "+attackImage, "image: "+privateImage, 1)
	text = strings.Replace(text, "/attack caps", "grep -E Cap /proc/self/status", 1)
	r := tryUp(t, name, text, o)
	if r.code != 0 {
		if !strings.Contains(r.stderr, "/data resolves to /proc/sys/kernel, inside /proc") {
			t.Errorf("refused, but not for landing in /proc: %s", r)
		}
		return
	}
	t.Errorf("a volume behind a symlink into /proc was mounted: %s", r)
	var logs string
	waitFor(t, 20*time.Second, "the container to log its capabilities or fail", func() bool {
		logs = mp(t, "logs", name).stdout
		s := ctrStatus(t, getPod(t, name), "main")
		return strings.Contains(logs, "CapAmb") || s.State.Terminated != nil ||
			(s.State.Waiting != nil && s.State.Waiting.Reason != "ContainerCreating")
	})
	if logs != "" {
		checkCaps(t, "container behind a /data -> /proc/sys/kernel symlink", logs)
	}
}
