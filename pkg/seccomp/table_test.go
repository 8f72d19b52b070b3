package seccomp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestTableIsCurrent regenerates the syscall table and compares it with
// the checked-in one, so that an upgrade of golang.org/x/sys without
// `go generate` (new syscalls unknown to profiles) does not go unseen.
func TestTableIsCurrent(t *testing.T) {
	if _, err := os.Stat("/usr/include/x86_64-linux-gnu/asm/unistd_x32.h"); err != nil {
		t.Skip("no linux-libc-dev x86 headers to generate from")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil || len(bytes.TrimSpace(dir)) == 0 {
		t.Skipf("golang.org/x/sys is not in this user's module cache to generate from (%v)", err)
	}
	out := filepath.Join(t.TempDir(), "zsyscalls.go")
	cmd := exec.Command(goTool, "run", "./internal/mksyscalls", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	current, err := os.ReadFile("zsyscalls.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, current) {
		t.Error("zsyscalls.go is out of date: run go generate ./pkg/seccomp")
	}
}
