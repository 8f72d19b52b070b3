package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seccompPod: the pod says Unconfined, container "strict" overrides it
// with a Localhost profile, "plain" inherits the pod's, "nnp" runs the
// default profile with allowPrivilegeEscalation: false.
const seccompPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile:
      type: Unconfined
  containers:
  - name: plain
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
  - name: strict
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: {{PROFILE}}
  - name: nnp
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext:
      allowPrivilegeEscalation: false
      seccompProfile:
        type: RuntimeDefault
`

// denyMkdir is a Localhost profile in docker's format: allow everything
// but mkdir and mkdirat, which fail with EPERM.
const denyMkdir = `{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`

// localhostProfile puts a Localhost seccomp profile on the node for pod
// name until the test ends, and returns its localhostProfile.
func localhostProfile(t *testing.T, name, text string) string {
	t.Helper()
	profile := name + ".json"
	dir := "/var/lib/minipod/seccomp"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, profile)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path) })
	return profile
}

// statusField is one line of /proc/1/status of a container, as its exec'd
// command sees it, and the same for the exec'd command itself.
func statusField(t *testing.T, pod, ctr, field string) (main, exec string) {
	t.Helper()
	out := execOut(t, pod, ctr, "sh", "-c", "grep '^"+field+":' /proc/1/status /proc/self/status")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		v := strings.TrimSpace(l[strings.LastIndex(l, ":")+1:])
		if strings.HasPrefix(l, "/proc/1/") {
			main = v
		} else {
			exec = v
		}
	}
	return main, exec
}

// TestSeccompProfiles: the kubelet's precedence (container over pod),
// Unconfined, RuntimeDefault and Localhost profiles enforced on the main
// process and on exec'd ones alike, no_new_privs only with
// allowPrivilegeEscalation: false.
func TestSeccompProfiles(t *testing.T) {
	root(t)
	name := podName("seccomp")
	profile := localhostProfile(t, name, denyMkdir)
	upPod(t, name, tmpl(seccompPod, name, "PROFILE", profile))
	for ctr, want := range map[string][2]string{"plain": {"0", "0"}, "strict": {"2", "0"}, "nnp": {"2", "1"}} {
		main, exec := statusField(t, name, ctr, "Seccomp")
		if main != want[0] || exec != want[0] {
			t.Errorf("%s: Seccomp main %q exec %q, want %q", ctr, main, exec, want[0])
		}
		main, exec = statusField(t, name, ctr, "NoNewPrivs")
		if main != want[1] || exec != want[1] {
			t.Errorf("%s: NoNewPrivs main %q exec %q, want %q", ctr, main, exec, want[1])
		}
	}
	r := mp(t, "exec", name, "-c", "strict", "--", "mkdir", "/tmp/x")
	if r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("mkdir under the Localhost profile: want EPERM, got %s", r)
	}
	if r := mp(t, "exec", name, "-c", "plain", "--", "mkdir", "/tmp/x"); r.code != 0 {
		t.Errorf("mkdir unconfined: %s", r)
	}
	r = mp(t, "exec", name, "-c", "nnp", "--", "unshare", "-m", "true")
	if r.code == 0 {
		t.Errorf("unshare under RuntimeDefault succeeded: %s", r)
	}
}

// TestSeccompNodeDefault: without any seccompProfile the node setting
// decides: RuntimeDefault unless seccomp-default = Unconfined.
func TestSeccompNodeDefault(t *testing.T) {
	root(t)
	for _, c := range []struct {
		env  []string
		want string
	}{{nil, "2"}, {[]string{"MINIPOD_SECCOMP_DEFAULT=Unconfined"}, "0"}} {
		name := podName("seccomp-default")
		upPod(t, name, tmpl(twoIdlePod, name), runOpts{env: c.env})
		if main, exec := statusField(t, name, "a", "Seccomp"); main != c.want || exec != c.want {
			t.Errorf("%v: Seccomp main %q exec %q, want %q", c.env, main, exec, c.want)
		}
	}
	name := podName("seccomp-bad")
	r := tryUp(t, name, tmpl(twoIdlePod, name), runOpts{env: []string{"MINIPOD_SECCOMP_DEFAULT=Sometimes"}})
	if r.code == 0 || !strings.Contains(r.stderr, "seccomp-default") {
		t.Errorf("a bad node setting must fail up naming it: %s", r)
	}
}

// TestSeccompLocalhostMissing: a Localhost profile that is not on the node
// keeps the container from being created, with the reason in its status:
// waiting in CreateContainerError (where containerd fails to load it), no
// restart, no last state, one Failed event per attempt.
func TestSeccompLocalhostMissing(t *testing.T) {
	root(t)
	name := podName("seccomp-missing")
	start := time.Now()
	r := tryUp(t, name, tmpl(seccompPod, name, "PROFILE", name+"-absent.json"))
	if r.code == 0 {
		t.Fatalf("up with a missing Localhost profile succeeded: %s", r)
	}
	if !strings.Contains(r.stderr+r.stdout, name+"-absent.json") || !strings.Contains(r.stderr, "CreateContainerError") {
		t.Errorf("the failure does not name the profile and CreateContainerError: %s", r)
	}
	for _, cs := range getPod(t, name).Status.ContainerStatuses {
		if cs.Name != "strict" {
			continue
		}
		if w := cs.State.Waiting; w == nil || w.Reason != "CreateContainerError" || !strings.Contains(w.Message, name+"-absent.json") ||
			cs.RestartCount != 0 || cs.LastTerminationState.Terminated != nil {
			t.Errorf("container strict: state %+v, last %+v, restarts %d; want waiting CreateContainerError naming the profile, never run",
				cs.State, cs.LastTerminationState, cs.RestartCount)
		}
	}
	failed := 0
	for _, l := range lines(mustMP(t, "describe", "pod", name)) {
		if strings.Contains(l, "Failed") && strings.Contains(l, name+"-absent.json") {
			failed++
		}
	}
	// One per attempt, and an attempt every 10 s.
	if attempts := 1 + int(time.Since(start)/(10*time.Second)); failed < 1 || failed > attempts {
		t.Errorf("%d Failed events name the profile after %d attempts, want one each", failed, attempts)
	}
}
