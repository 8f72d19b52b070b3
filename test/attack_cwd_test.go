package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// cwdPod shares the PID namespace, so /proc/1 is pause, whose root is the
// host's. Container attack starts in {{WORKDIR}} (unless the image sets it)
// and tries to read a host file and write one from there; probe is an
// ordinary container to exec into.
const cwdPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  shareProcessNamespace: true
  containers:
  - name: attack
    image: {{IMAGE}}
{{WORKDIR}}    command: ["sh", "-c", "pwd; cat host-only; echo pwned > escaped; echo attempted; ` + idle + `"]
  - name: probe
    image: {{IMAGE}}
    workingDir: /
    command: ["sh", "-c", "` + idle + `"]
`

// TestAttackWorkingDirOnHost (CVE-2024-21626 class): a working directory
// of /proc/1/root/... used to start the container with its cwd on the
// host, where it read and wrote files. Whether it comes from the pod's
// workingDir, the image's WorkingDir or an image symlink that workingDir
// goes through, the container must either fail to
// start with a message about its working directory, or run with a cwd in
// its own root: it never reads the host file nor leaves a file on the host,
// and an exec'd process cannot reach the host's root through /proc/1/root.
func TestAttackWorkingDirOnHost(t *testing.T) {
	root(t)
	t.Run("workingDir", func(t *testing.T) {
		t.Parallel()
		host := hostDecoy(t)
		checkCwdAttack(t, host, runOpts{}, "IMAGE", "busybox", "WORKDIR", "    workingDir: /proc/1/root"+host+"\n")
	})
	t.Run("image WorkingDir", func(t *testing.T) {
		t.Parallel()
		host := hostDecoy(t)
		store := privateBusybox(t, "/proc/1/root"+host)
		checkCwdAttack(t, host, runOpts{env: []string{"MINIPOD_IMAGES=" + store}}, "IMAGE", privateImage, "WORKDIR", "")
	})
	// No check of the path's text sees this one: /w is an image symlink.
	t.Run("image symlink", func(t *testing.T) {
		t.Parallel()
		host := hostDecoy(t)
		store := privateBusybox(t, "/")
		if err := os.Symlink("/proc/1/root"+host, filepath.Join(store, "e2e", "busybox", "v1", "rootfs", "w")); err != nil {
			t.Fatal(err)
		}
		checkCwdAttack(t, host, runOpts{env: []string{"MINIPOD_IMAGES=" + store}}, "IMAGE", privateImage, "WORKDIR", "    workingDir: /w\n")
	})
}

// hostDecoy makes a host directory holding host-only (a secret) for the
// attack to aim at, and returns it.
func hostDecoy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "host-only"), []byte(hostSecret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const hostSecret = "host-secret-b6f1c2"

// privateImage is busybox in a store of a test's own (privateBusybox).
const privateImage = "e2e/busybox:v1"

// privateBusybox makes a private store holding privateImage, a copy of
// busybox whose config sets WorkingDir to dir, for a test to alter; it
// returns the store (MINIPOD_IMAGES).
func privateBusybox(t *testing.T, dir string) string {
	t.Helper()
	store := t.TempDir()
	img := filepath.Join(store, "e2e", "busybox", "v1")
	if err := os.MkdirAll(img, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(imagesRoot, "busybox", "latest", "rootfs"), img).CombinedOutput(); err != nil {
		t.Fatalf("cp busybox rootfs: %v\n%s", err, out)
	}
	cfg := `{"Env":["` + defaultPath + `"],"Cmd":["sh"],"WorkingDir":"` + dir + `"}`
	if err := os.WriteFile(filepath.Join(img, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return store
}

// checkCwdAttack runs cwdPod filled in with vars and checks the outcome.
func checkCwdAttack(t *testing.T, host string, o runOpts, vars ...string) {
	t.Helper()
	name := podName("atk-cwd")
	r := tryUp(t, name, tmpl(cwdPod, name, vars...), o)
	if mp(t, "get", name).code != 0 {
		// up refused the manifest: safe if it says why.
		if !strings.Contains(strings.ToLower(r.stderr), "working") {
			t.Errorf("up refused the pod without a word about its working directory: %s", r)
		}
		return
	}
	var s corev1.ContainerStatus
	waitFor(t, 30*time.Second, "the attack container to run its command or fail", func() bool {
		s = ctrStatus(t, getPod(t, name), "attack")
		logged := strings.Contains(mp(t, "logs", name, "-c", "attack").stdout, "attempted")
		return logged || s.State.Terminated != nil || (s.State.Waiting != nil && s.State.Waiting.Reason != "ContainerCreating")
	})
	logs := mp(t, "logs", name, "-c", "attack").stdout
	if strings.Contains(logs, hostSecret) {
		t.Errorf("the container read the host's file from its working directory; it logged:\n%s", logs)
	}
	if _, err := os.Lstat(filepath.Join(host, "escaped")); err == nil {
		t.Errorf("the container wrote %s on the host", filepath.Join(host, "escaped"))
	}
	if s.State.Running == nil {
		msg := stateMessage(s)
		if !strings.Contains(strings.ToLower(msg), "working dir") {
			t.Errorf("container attack did not start, but its state does not say why in terms of the working directory: %+v", s.State)
		}
	}
	r = mpWith(t, o, "exec", name, "-c", "probe", "--", "cat", "/proc/1/root"+host+"/host-only")
	if r.code == 0 || strings.Contains(r.stdout, hostSecret) {
		t.Errorf("an exec'd process read the host's file through /proc/1/root: %s", r)
	}
}

// stateMessage is the reason and message of a waiting or terminated state.
func stateMessage(s corev1.ContainerStatus) string {
	switch {
	case s.State.Terminated != nil:
		return s.State.Terminated.Reason + ": " + s.State.Terminated.Message
	case s.State.Waiting != nil:
		return s.State.Waiting.Reason + ": " + s.State.Waiting.Message
	}
	return ""
}
