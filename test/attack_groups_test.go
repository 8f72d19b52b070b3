package test

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// callerGroup is a supplementary group only the caller of exec has.
const callerGroup = "4242"

// TestAttackExecGroups: `exec` ran the command with its caller's
// supplementary groups, which may open host files no container should.
// Run from a caller in group 4242, the exec'd command must have the
// container's groups (those of its main process), never 4242.
func TestAttackExecGroups(t *testing.T) {
	root(t)
	name := podName("atk-groups")
	upPod(t, name, tmpl(oneIdlePod, name))
	want := statusLine(execOut(t, name, "", "cat", "/proc/1/status"), "Groups")
	cmd := exec.Command(exe, "exec", name, "--", "cat", "/proc/self/status")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 0, Gid: 0, Groups: []uint32{4242}}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("exec as a caller in group %s: %v\n%s", callerGroup, err, errb.String())
	}
	got := statusLine(out.String(), "Groups")
	for _, g := range strings.Fields(got) {
		if g == callerGroup {
			t.Errorf("the exec'd command kept its caller's group %s: Groups %q", callerGroup, got)
		}
	}
	if got != want {
		t.Errorf("the exec'd command has Groups %q, the container's main process %q", got, want)
	}
}
