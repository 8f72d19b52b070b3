package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackExecCallerFile: `exec` handed the command its caller's own
// descriptors; an admin who sent the output to a file gave the container
// that host file, which it reopened for reading (and could have for
// writing) through /proc/self/fd/1. The command's output must still reach
// the file, but the container must not read it back.
func TestAttackExecCallerFile(t *testing.T) {
	root(t)
	name := podName("atk-outfile")
	upPod(t, name, tmpl(oneIdlePod, name))
	path := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(path, []byte(hostSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errb bytes.Buffer
	// The shell reopens its stdout for reading; timeout stops a read from a
	// pipe (minipod's own) that never ends. It writes only afterwards, so
	// that it never reads back its own output.
	cmd := exec.Command(exe, "exec", name, "--", "sh", "-c", "exec 3</proc/$$/fd/1 && timeout 2 cat <&3 >&2; echo written")
	cmd.Stdout, cmd.Stderr = f, &errb
	_ = cmd.Run()
	if strings.Contains(errb.String(), hostSecret) {
		t.Errorf("the container read back its caller's output file %s:\n%s", path, errb.String())
	}
	if b, _ := os.ReadFile(path); string(b) != hostSecret+"\nwritten\n" {
		t.Errorf("the output file holds %q, want the command's output appended", b)
	}
}
