//go:build amd64

package int80

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// i386 getpid is 20. Run in a child: without IA32 emulation it faults.
func TestGetpid(t *testing.T) {
	if os.Getenv("INT80_CHILD") == "1" {
		if got := Syscall(20, 0, 0, 0); got != int32(os.Getpid()) {
			t.Fatalf("i386 getpid = %d, want %d", got, os.Getpid())
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGetpid$")
	cmd.Env = append(os.Environ(), "INT80_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil && bytes.Contains(out, []byte("SIGSEGV")) {
		t.Skipf("this kernel has no IA32 emulation: int $0x80 faults")
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
