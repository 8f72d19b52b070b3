package test

import (
	"strings"
	"testing"
)

// TestAttackSeccomp: containers ran without a seccomp filter, so a
// container could make a user namespace (unshare -r) and mount in it,
// reaching kernel code meant for real root. By default every container
// process (main and exec'd) is in seccomp filter mode (Seccomp: 2), which
// refuses that, and no_new_privs stays off (Kubernetes sets it only for
// allowPrivilegeEscalation: false). The container's securityContext turns
// no_new_privs on (allowPrivilegeEscalation: false) or the filter off
// (seccompProfile Unconfined).
func TestAttackSeccomp(t *testing.T) {
	root(t)
	needAttackImage(t)
	for _, c := range []struct {
		name, securityContext string
		seccomp, noNewPrivs   string
	}{
		{"default", "", "2", "0"},
		{"allowPrivilegeEscalation false", "    securityContext: {allowPrivilegeEscalation: false}\n", "2", "1"},
		{"seccompProfile Unconfined", "    securityContext: {seccompProfile: {type: Unconfined}}\n", "0", "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			name := podName("atk-seccomp")
			upPod(t, name, attackPodText(name, idleCommand, "", c.securityContext))
			for who, status := range map[string]string{
				"main process":   execOut(t, name, "", "cat", "/proc/1/status"),
				"exec'd process": execOut(t, name, "", "/attack", "caps"),
			} {
				if got := statusLine(status, "Seccomp"); got != c.seccomp {
					t.Errorf("%s: Seccomp %q, want %s", who, got, c.seccomp)
				}
				if got := statusLine(status, "NoNewPrivs"); got != c.noNewPrivs {
					t.Errorf("%s: NoNewPrivs %q, want %s", who, got, c.noNewPrivs)
				}
			}
			if c.seccomp == "2" {
				r := mp(t, "exec", name, "--", "unshare", "-r", "-m", "sh", "-c", "mount -t tmpfs none /tmp && echo MOUNTED")
				if r.code == 0 || strings.Contains(r.stdout, "MOUNTED") {
					t.Errorf("a user namespace let the container mount: %s", r)
				}
			}
		})
	}
}

// forkKillingProfile is a Localhost profile that lets everything through
// but a fork, which kills the whole process: a container whose command
// never forks runs under it.
const forkKillingProfile = `{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
 "syscalls": [{"names": ["clone", "clone3", "fork", "vfork"], "action": "SCMP_ACT_KILL_PROCESS"}]}`

// TestAttackSeccompProfileEndsMonitor: an exec'd command is forked from a
// thread of the pod's monitor that loaded the container's filter first, so
// a profile that kills on a fork killed the monitor at the first exec
// (the pod's status Unknown, its containers without a keeper). Such a
// command is confined in a process of its own (minipod-init's enter role)
// instead: it runs under the profile (a fork in it is killed), and the
// monitor and pod go on. That process is the host's root until it is
// confined, so it is not made where a container that sees it may trace it
// (CAP_SYS_PTRACE): there the command is spawned (TestAttackPtraceExec)
// by minipod-init forking under the filter, and a profile that kills forks
// refuses the exec.
func TestAttackSeccompProfileEndsMonitor(t *testing.T) {
	root(t)
	name := podName("atk-seccomp-fork")
	profile := localhostProfile(t, name, forkKillingProfile)
	upPod(t, name, `apiVersion: v1
kind: Pod
metadata:
  name: `+name+`
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: `+profile+`
  - name: tracer
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add: ["SYS_PTRACE"]
      seccompProfile:
        type: Localhost
        localhostProfile: `+profile+`
`)
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	monitor := procID{what: "monitor", pid: st.Monitor.PID, start: procStart(st.Monitor.PID)}
	for i := 0; i < 2; i++ {
		r := mp(t, "exec", name, "-c", "a", "--", "grep", "^Seccomp:", "/proc/self/status")
		if r.code != 0 || strings.TrimSpace(r.stdout) != "Seccomp:\t2" {
			t.Errorf("exec under a profile that kills forks: want it run filtered (Seccomp: 2), got %s", r)
		}
	}
	// The profile holds in the exec'd command: its fork kills it.
	if r := mp(t, "exec", name, "-c", "a", "--", "sh", "-c", "true & wait"); r.code != 128+31 {
		t.Errorf("a fork in the exec'd command: want it killed by SIGSYS (exit 159), got %s", r)
	}
	if r := mp(t, "exec", name, "-c", "tracer", "--", "true"); r.code == 0 || !strings.Contains(r.stderr, "CAP_SYS_PTRACE") {
		t.Errorf("exec into a container that may trace: want a refusal naming CAP_SYS_PTRACE, got %s", r)
	}
	if !monitor.alive() {
		t.Fatal("the pod's monitor died of an exec")
	}
	if phase := getPod(t, name).Status.Phase; phase != "Running" {
		t.Errorf("pod phase %s after the refused execs, want Running", phase)
	}
}
