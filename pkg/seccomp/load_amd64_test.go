package seccomp

import (
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestI386OnKernel makes i386 syscalls (int $0x80) under RuntimeDefault.
func TestI386OnKernel(t *testing.T) {
	testutil.RequiresRoot(t)
	if got, err := runHelper(t, "i386-probe"); err != nil || got["i386_getpid"] != "ok" || got["i386_getpid_value"] != "" {
		t.Skipf("this kernel has no IA32 emulation (i386 getpid without a filter: %v, %v)", got, err)
	}
	t.Log("this kernel has IA32 emulation: i386 getpid works without a filter")
	got, err := runHelper(t, "i386")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{"seccomp_mode": "2", "i386_unshare": "EPERM", "i386_getpid": "ok", "i386_getpid_value": absent})
	if _, err := runHelper(t, "native-only-i386"); !killedBySIGSYS(err) {
		t.Errorf("i386 call under an x86_64-only profile: %v, want death by SIGSYS", err)
	}
}

// TestX32OnKernel makes x32 syscalls (nr | 0x40000000) under
// RuntimeDefault: unshare must fail with the filter's EPERM whatever the
// kernel's x32 support; getpid passes the filter and then works or gets
// ENOSYS from a kernel without x32.
func TestX32OnKernel(t *testing.T) {
	testutil.RequiresRoot(t)
	got, err := runHelper(t, "default")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{"x32_unshare": "EPERM"})
	switch got["x32_getpid"] {
	case "ok":
		t.Log("this kernel has the x32 ABI: x32 getpid works under the filter")
	case "ENOSYS":
		t.Log("this kernel has no x32 ABI: x32 getpid passes the filter and gets ENOSYS")
	default:
		t.Errorf("x32 getpid: %q, want ok or ENOSYS", got["x32_getpid"])
	}
	if _, err := runHelper(t, "native-only-x32"); !killedBySIGSYS(err) {
		t.Errorf("x32 call under a profile without SCMP_ARCH_X32: %v, want death by SIGSYS", err)
	}
}
