package test

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAttackPtraceExec: an exec'd command was forked from the pod's
// monitor, with Go's fork (CLONE_VM), into the container's PID namespace:
// until its exec, the child was the monitor's memory. A container granted
// CAP_SYS_PTRACE (in the host's user namespace) could seize it the moment
// it was born, stop it, and write into it: code run by the monitor, the
// host's root. The attacker seizes every process born in its PID
// namespace while the test execs into it; none may run the monitor's
// executable (none may share its memory), and the attack must have
// reached the exec'd commands. The commands still run as the container's
// processes, the monitor's children (their exit codes and signals passed
// back unchanged), each in a session of its own.
func TestAttackPtraceExec(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-ptrace-exec")
	const secs = 6
	upPod(t, name, attackPodText(name, fmt.Sprintf(`["sh", "-c", "/attack seize-new %d; %s"]`, secs, idle), "",
		"    securityContext:\n      capabilities:\n        add: [\"SYS_PTRACE\"]\n"))
	waitLog(t, name, "main", "seizing new processes", 20*time.Second)
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	var mon syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(st.Monitor.PID)+"/exe", &mon); err != nil {
		t.Fatalf("the monitor's executable: %v", err)
	}
	monitorExe := fmt.Sprintf("exe %d:%d", mon.Dev, mon.Ino)
	for end := time.Now().Add(secs * time.Second / 2); time.Now().Before(end); {
		mp(t, "exec", name, "--", "true")
	}
	logs := waitLog(t, name, "main", "\ndone\n", (secs+20)*time.Second)
	seized := 0
	for _, l := range lines(logs) {
		if _, _, ok := seizedLine(l); ok {
			seized++
		}
		if strings.HasSuffix(l, monitorExe) {
			t.Errorf("a process the container seized runs the monitor's executable (shares its memory): %s", l)
		}
	}
	if seized == 0 {
		t.Errorf("the attack reached no exec'd process; its log:\n%s", logs)
	}
	if t.Failed() {
		t.Logf("attacker's log:\n%s", logs)
	}
	// Its own session and process group, as every exec'd command's.
	for args, want := range map[string]int{"exit 3": 3, "kill -TERM $$": 128 + 15, "kill 0": 128 + 15,
		`set -- $(cat /proc/$$/stat); test "$5 $6" = "$$ $$"`: 0} {
		if r := mp(t, "exec", name, "--", "sh", "-c", args); r.code != want {
			t.Errorf("exec -- sh -c %q: want exit %d, got %s", args, want, r)
		}
	}
	// As confined as the container's own process, no more, no less.
	main, execd := execOut(t, name, "", "cat", "/proc/1/status"), execOut(t, name, "", "/attack", "caps")
	for _, k := range []string{"CapEff", "CapPrm", "CapBnd", "Seccomp", "NoNewPrivs"} {
		if a, b := statusLine(main, k), statusLine(execd, k); a == "" || a != b {
			t.Errorf("%s: the container's process has %q, the exec'd command %q", k, a, b)
		}
	}
	if out := execOut(t, name, "", "sh", "-c", "grep PPid /proc/self/status"); strings.TrimSpace(out) != "PPid:\t0" {
		t.Errorf("the exec'd command's parent: want one outside the container's PID namespace (PPid 0), got %q", out)
	}
}
