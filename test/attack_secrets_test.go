package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the host user the test reads as: no groups, no privilege.
const nobody = 65534

const secretPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    env: [{name: TOKEN, value: {{SECRET}}}]
    command: ["sh", "-c", "echo $TOKEN; ` + idle + `"]
`

// TestAttackSecretsReadable: the pod's state.json (every container's
// environment) was readable by any host user. As nobody, reading the state,
// a container's bundle config.json, the pod's manifest copy or its logs
// must fail, and minipod's directories must not be readable or searchable
// by others. Once with the machine's roots (whose top directories may have
// been made by anyone's minipod), once with run and log roots that minipod
// creates itself, in a directory that others may search.
func TestAttackSecretsReadable(t *testing.T) {
	root(t)
	t.Run("default roots", func(t *testing.T) {
		t.Parallel()
		checkSecrets(t, "/run/minipod", "/var/log/pods", runOpts{})
	})
	t.Run("fresh roots", func(t *testing.T) {
		t.Parallel()
		base := t.TempDir()
		for _, d := range []string{filepath.Dir(base), base} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		run, logs := filepath.Join(base, "run"), filepath.Join(base, "log")
		// Registered before the pod's: runs after its down. The fresh run
		// root is not on a tmpfs, so minipod mounts one there.
		t.Cleanup(func() { unmountRunRoot(t, run) })
		checkSecrets(t, run, logs, runOpts{env: []string{"MINIPOD_RUN_DIR=" + run, "MINIPOD_LOG_DIR=" + logs}})
	})
}

// checkSecrets runs secretPod with minipod's run and log roots at run and
// logRoot and tries to read its secrets as nobody.
func checkSecrets(t *testing.T, run, logRoot string, o runOpts) {
	t.Helper()
	name := podName("atk-secret")
	secret := podName("env-secret")
	t.Cleanup(func() { // registered first: runs after down
		for _, d := range []string{filepath.Join(run, name), filepath.Join(logRoot, "*_"+name+"_*")} {
			if m, _ := filepath.Glob(d); len(m) > 0 {
				t.Errorf("down left %v", m)
			}
		}
	})
	if r := tryUp(t, name, tmpl(secretPod, name, "SECRET", secret), o); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	var logs []string
	waitFor(t, 20*time.Second, "the container's log file holding the secret", func() bool {
		logs, _ = filepath.Glob(filepath.Join(logRoot, "*_"+name+"_*", "main", "*.log"))
		b, _ := os.ReadFile(strings.Join(logs, ""))
		return len(logs) == 1 && strings.Contains(string(b), secret)
	})
	pod := filepath.Join(run, name)
	for _, f := range []string{pod + "/state.json", pod + "/containers/main/config.json", pod + "/pod.yaml", logs[0]} {
		if out, err := asNobody(t, "cat", f); err == nil || strings.Contains(out, secret) {
			t.Errorf("nobody read %s: %d bytes, the container's secret among them: %v", f, len(out), strings.Contains(out, secret))
		}
	}
	for _, d := range []string{run, pod, "/var/lib/minipod", logRoot, filepath.Dir(filepath.Dir(logs[0]))} {
		st, err := os.Stat(d)
		if err != nil {
			t.Error(err)
		} else if d != logRoot && st.Mode().Perm()&0o005 != 0 {
			t.Errorf("%s is %v: other users may read or search it", d, st.Mode().Perm())
		}
	}
}

// asNobody runs a host command as user and group nobody, without
// supplementary groups, and returns its combined output.
func asNobody(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// unmountRunRoot removes the tmpfs minipod mounted on a test's own run
// root, checking that it was one.
func unmountRunRoot(t *testing.T, run string) {
	t.Helper()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(run, &fs); err != nil || fs.Type != 0x01021994 { // TMPFS_MAGIC
		t.Errorf("run root %s is not on a tmpfs (statfs type %#x, %v)", run, fs.Type, err)
		return
	}
	var self, parent syscall.Stat_t
	if syscall.Stat(run, &self) == nil && syscall.Stat(filepath.Dir(run), &parent) == nil && self.Dev == parent.Dev {
		return // the test's directory was on a tmpfs already: nothing mounted
	}
	if err := syscall.Unmount(run, syscall.MNT_DETACH); err != nil {
		t.Errorf("unmount %s: %v", run, err)
	}
}
