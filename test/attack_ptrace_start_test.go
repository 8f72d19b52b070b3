package test

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/mounts"
)

// ptraceStartPod shares one PID namespace between a sidecar that seizes
// every process born in it (CAP_SYS_PTRACE in the host's user namespace,
// as the Kubernetes documentation's shareProcessNamespace example gives
// its shell) and the containers started after it: three init containers
// one after another, then the app container.
const ptraceStartPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  initContainers:
  - name: tracer
    image: ` + attackImage + `
    restartPolicy: Always
    command: ["sh", "-c", "/attack seize-new {{SECS}}; ` + idle + `"]
    securityContext:
      capabilities:
        add: ["SYS_PTRACE"]
    startupProbe:
      exec:
        command: ["test", "-e", "/tmp/seizing"]
      periodSeconds: 1
  - name: one
    image: ` + attackImage + `
    command: ["true"]
  - name: two
    image: ` + attackImage + `
    command: ["true"]
  - name: three
    image: ` + attackImage + `
    command: ["true"]
  containers:
  - name: main
    image: ` + attackImage + `
    command: ["sh", "-c", "` + idle + `"]
`

// TestAttackPtraceStart: a container that may trace, in a PID namespace
// its pod's containers share, must never reach a container's init while
// it is the host's root with every capability (it builds the root as
// such), nor the monitor's fork before its exec (the monitor's memory):
// the monitor forks init out of the pod's sight and init spawns the
// command into it, confined from its birth. Checked with the fix turned
// off: the tracer seizes the inits (CapEff of every capability).
func TestAttackPtraceStart(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-ptrace-start")
	const secs = 8
	upPod(t, name, tmpl(ptraceStartPod, name, "SECS", strconv.Itoa(secs)))
	if !mounts.ProcOfOtherPIDNS() {
		// The one case where the old start is kept: the pod says so.
		if d := mp(t, "describe", "pod", name).stdout; !strings.Contains(d, "Unprotected") {
			t.Errorf("this kernel cannot mount /proc for another PID namespace, and the pod's events do not say so:\n%s", d)
		}
		return
	}
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	var mon syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(st.Monitor.PID)+"/exe", &mon); err != nil {
		t.Fatalf("the monitor's executable: %v", err)
	}
	monitorExe := fmt.Sprintf("exe %d:%d", mon.Dev, mon.Ino)
	logs := waitLog(t, name, "tracer", "\ndone\n", (secs+20)*time.Second)
	commands := 0
	for _, l := range lines(logs) {
		capEff, exe, ok := seizedLine(l)
		if !ok {
			continue
		}
		if exe == monitorExe {
			t.Errorf("the tracer seized a process running the monitor's executable (its memory): %s", l)
		}
		if caps, err := strconv.ParseUint(capEff, 16, 64); err != nil || caps&(1<<21) != 0 {
			t.Errorf("the tracer seized a process holding CAP_SYS_ADMIN (a container's init before it was confined): %s", l)
		}
		commands++
	}
	if commands < 3 {
		t.Errorf("the tracer seized %d processes, want at least the three init containers' commands; its log:\n%s", commands, logs)
	}
	if t.Failed() {
		t.Logf("tracer's log:\n%s", logs)
	}
	// The pod's containers see its PID namespace in /proc: pause as
	// PID 1, and each other.
	out := execOut(t, name, "main", "ps")
	for _, want := range []string{"minipod pause", "/attack seize-new", "sh -c trap"} {
		if !strings.Contains(out, want) {
			t.Errorf("ps in main: no %q in\n%s", want, out)
		}
	}
	if one := strings.Fields(strings.SplitN(out, "\n", 3)[1]); len(one) == 0 || one[0] != "1" {
		t.Errorf("ps in main: want pause as PID 1:\n%s", out)
	}
	if got := strings.TrimSpace(execOut(t, name, "main", "sh", "-c", "grep PPid /proc/1/status; grep PPid /proc/self/status")); got != "PPid:\t0\nPPid:\t0" {
		t.Errorf("parents: want pause and the exec'd command's outside the pod's PID namespace, got %q", got)
	}
	// A spawned command that cannot be exec'd says why, as any.
	if r := mp(t, "exec", name, "-c", "main", "--", "/nonexistent"); r.code == 0 || !strings.Contains(r.stderr, "/nonexistent: no such file or directory") {
		t.Errorf("exec of a missing command: want execve's reason, got %s", r)
	}
}

// seizedLine splits a seize-new report "pid N: capeff HEX exe DEV:INO".
func seizedLine(l string) (capEff, exe string, ok bool) {
	_, rest, ok := strings.Cut(l, ": capeff ")
	if !ok {
		return "", "", false
	}
	capEff, exe, ok = strings.Cut(rest, " ")
	return capEff, exe, ok
}

// TestAttackPtraceStartProfile: a container whose seccomp profile denies
// a call its spawned start needs (a fork, here) is not started the old
// way, in the sight of a peer that may trace, where a manifest could send
// it on purpose: `up` fails with CreateContainerError, saying why, and
// leaves nothing behind.
func TestAttackPtraceStartProfile(t *testing.T) {
	root(t)
	if !mounts.ProcOfOtherPIDNS() {
		t.Skip("the old start is kept on this kernel (TestAttackPtraceStart checks the pod says so)")
	}
	name := podName("atk-ptrace-prof")
	profile := localhostProfile(t, name, forkKillingProfile)
	r := tryUp(t, name, `apiVersion: v1
kind: Pod
metadata:
  name: `+name+`
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - name: tracer
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add: ["SYS_PTRACE"]
  - name: a
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: `+profile+`
`)
	for _, want := range []string{"CreateContainerError", "(a)", "denies clone", "CAP_SYS_PTRACE"} {
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("up: want a failure naming %q, got %s", want, r)
		}
	}
}
