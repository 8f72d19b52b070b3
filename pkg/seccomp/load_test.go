package seccomp

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestLoadDefaultOnKernel loads RuntimeDefault for docker's default
// capabilities on a real thread (without no_new_privs: the test runs as
// root, with CAP_SYS_ADMIN) and makes the syscalls it must stop or allow.
func TestLoadDefaultOnKernel(t *testing.T) {
	testutil.RequiresRoot(t)
	got, err := runHelper(t, "default")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{
		"nnp": inheritedNNP(t), "seccomp_mode": "2",
		"unshare": "EPERM", "keyctl": "EPERM", "add_key": "EPERM", "mount": "EPERM",
		"clone3": "ENOSYS", "getpid": "ok", "getpid_value": absent, "write": "ok", "read": "ok",
		"personality": "ok", "personality_addr_no_randomize": "EPERM",
		"socket_vsock": "EPERM", "socket_inet": "ok",
	})
}

// TestLoadKeptProgram loads a program that went through MarshalBinary.
func TestLoadKeptProgram(t *testing.T) {
	testutil.RequiresRoot(t)
	got, err := runHelper(t, "binary")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{"seccomp_mode": "2", "mount": "EPERM", "clone3": "ENOSYS", "getpid": "ok"})
}

// TestLoadTrampolines has the kernel check and run a program whose long
// jumps go through JA trampolines.
func TestLoadTrampolines(t *testing.T) {
	testutil.RequiresRoot(t)
	p, err := Compile(longProfile())
	if err != nil {
		t.Fatal(err)
	}
	if countJA(p.insns) == 0 {
		t.Fatalf("%d instructions and no trampoline", p.Len())
	}
	got, err := runHelper(t, "long")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{
		"getppid_0": errnoString(100), "getppid_75": errnoString(175), "getppid_149": errnoString(249),
		"getppid_150": "ok", "getpid": "ok",
	})
}

func TestLoadNeedsNoNewPrivsOrCapSysAdmin(t *testing.T) {
	testutil.RequiresRoot(t)
	if inheritedNNP(t) == "1" {
		t.Skip("this process runs with no_new_privs, which children inherit: Load without it cannot be tried")
	}
	got, err := runHelper(t, "nocap")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{"drop_sys_admin": "ok", "nnp": "0", "load": "EACCES", "seccomp_mode": absent})
	if !strings.Contains(got["load_error"], "no_new_privs or CAP_SYS_ADMIN") {
		t.Errorf("load error %q does not say what is missing", got["load_error"])
	}
	got, err = runHelper(t, "nnp")
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	checkResults(t, got, map[string]string{"drop_sys_admin": "ok", "nnp": "1", "seccomp_mode": "2", "mount": "EPERM", "getpid": "ok"})
}

func TestLocalhostOnKernel(t *testing.T) {
	testutil.RequiresRoot(t)
	root := profileRoot(t)
	cases := []struct {
		path string
		want map[string]string
	}{
		{"profiles/errno.json", map[string]string{"getppid": "ENOENT", "getpid": "ok", "uname": "EPERM"}},
		{"log.json", map[string]string{"getppid": "EACCES", "getpid": "ok", "uname": "ok"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, err := runHelper(t, "localhost", helperRootEnv+"="+root+":"+c.path)
			if err != nil {
				t.Fatalf("helper: %v", err)
			}
			checkResults(t, got, c.want)
		})
	}
}

// inheritedNNP is this process's no_new_privs, which the helper inherits:
// "0" on a normal root shell or CI, so the helper loads by CAP_SYS_ADMIN.
func inheritedNNP(t *testing.T) string {
	nnp, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	if err != nil {
		t.Fatalf("read no_new_privs: %v", err)
	}
	return strconv.Itoa(nnp)
}

// killedBySIGSYS reports whether err is a child's death by SIGSYS, the
// signal of SECCOMP_RET_KILL_PROCESS.
func killedBySIGSYS(err error) bool {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGSYS
}
