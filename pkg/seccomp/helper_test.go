package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The real-kernel tests re-exec the test binary with helperEnv set to a
// mode: the child locks its OS thread, loads a filter there, makes real
// syscalls on that thread and prints one "key=result" line per syscall.
const (
	helperEnv     = "MINIPOD_SECCOMP_HELPER"
	helperRootEnv = "MINIPOD_SECCOMP_HELPER_ROOT"
	helperLoopEnv = "MINIPOD_SECCOMP_HELPER_LOOPS"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// results collects what the child saw, in order.
type results struct{ b strings.Builder }

func (r *results) add(key, val string) { fmt.Fprintf(&r.b, "%s=%s\n", key, val) }

// sys makes a raw syscall on this thread and records "ok" or the errno.
func (r *results) sys(key string, nr uintptr, args ...uintptr) uintptr {
	var a [6]uintptr
	copy(a[:], args)
	r1, _, e := unix.RawSyscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	r.errno(key, e)
	return r1
}

func (r *results) errno(key string, e unix.Errno) { r.add(key, errnoString(e)) }

// errnoString is "ok" for 0, else the errno's name, or its number for
// the errnos without one (the long-profile test uses 100 to 249).
func errnoString(e unix.Errno) string {
	if e == 0 {
		return "ok"
	}
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return fmt.Sprintf("errno%d", int(e))
}

// helperModes are the child's modes; each loads a filter and probes it.
var helperModes = map[string]func(*results) error{
	"default":   modeDefault,
	"nnp":       modeNoNewPrivs,
	"nocap":     modeNoCapSysAdmin,
	"localhost": modeLocalhost,
	"binary":    modeBinary,
	"long":      modeLong,
}

func helper(mode string) int {
	// Never unlocked: the filter stays on this thread until the exit.
	runtime.LockOSThread()
	// Children killed by the filter (SIGSYS) must not leave core files.
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f, ok := helperModes[mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "no helper mode %q\n", mode)
		return 3
	}
	r := &results{}
	if err := f(r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Stdout.WriteString(r.b.String())
	return 0
}

// loadDefault loads RuntimeDefault for docker's default capabilities.
func loadDefault(r *results) error {
	s, err := Choose(RuntimeDefault, "", "", specWithCaps(defaultCaps...))
	if err != nil {
		return err
	}
	p, err := Compile(s)
	if err != nil {
		return err
	}
	nnp, _ := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	r.add("nnp", fmt.Sprint(nnp))
	if err := p.Load(); err != nil {
		return err
	}
	r.add("seccomp_mode", seccompMode())
	return nil
}

// seccompMode is the Seccomp field of this thread's status: 2 = filter.
func seccompMode() string {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return err.Error()
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "missing"
}

func modeDefault(r *results) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	if err := loadDefault(r); err != nil {
		return err
	}
	r.sys("unshare", unix.SYS_UNSHARE, unix.CLONE_NEWUSER|unix.CLONE_NEWNS)
	r.sys("keyctl", unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(negOne(unix.KEY_SPEC_SESSION_KEYRING)), 0)
	r.sys("add_key", unix.SYS_ADD_KEY, 0, 0, 0, 0, 0)
	mountDenied(r)
	r.sys("clone3", unix.SYS_CLONE3, 0, 0)
	if pid := r.sys("getpid", unix.SYS_GETPID); int(pid) != os.Getpid() {
		r.add("getpid_value", "wrong")
	}
	buf := []byte{42}
	r.sys("write", unix.SYS_WRITE, uintptr(p[1]), addr(&buf[0]), 1)
	r.sys("read", unix.SYS_READ, uintptr(p[0]), addr(&buf[0]), 1)
	runtime.KeepAlive(buf)
	r.sys("personality", unix.SYS_PERSONALITY, 0xffffffff)
	r.sys("personality_addr_no_randomize", unix.SYS_PERSONALITY, addrNoRandomize)
	r.sys("socket_vsock", unix.SYS_SOCKET, unix.AF_VSOCK, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if fd := r.sys("socket_inet", unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); int(fd) > 0 {
		unix.Close(int(fd))
	}
	archChecks(r)
	return nil
}

func modeNoNewPrivs(r *results) error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	// Without CAP_SYS_ADMIN too, to show that no_new_privs alone suffices.
	r.errno("drop_sys_admin", dropSysAdmin())
	if err := loadDefault(r); err != nil {
		return err
	}
	mountDenied(r)
	r.sys("getpid", unix.SYS_GETPID)
	return nil
}

// modeBinary loads RuntimeDefault after a trip through MarshalBinary.
func modeBinary(r *results) error {
	s, err := Choose(RuntimeDefault, "", "", specWithCaps(defaultCaps...))
	if err != nil {
		return err
	}
	p, err := Compile(s)
	if err != nil {
		return err
	}
	b, err := p.MarshalBinary()
	if err != nil {
		return err
	}
	var q Program
	if err := q.UnmarshalBinary(b); err != nil {
		return err
	}
	if err := q.Load(); err != nil {
		return err
	}
	r.add("seccomp_mode", seccompMode())
	mountDenied(r)
	r.sys("clone3", unix.SYS_CLONE3, 0, 0)
	r.sys("getpid", unix.SYS_GETPID)
	return nil
}

// longProfile allows everything but getppid(i), i < 150, which fails
// with errno 100+i: 150 rules on one number, far more than a conditional
// jump reaches, so the program needs trampolines.
func longProfile() *specs.LinuxSeccomp {
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	for i := 0; i < 150; i++ {
		s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: []string{"getppid"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(100 + i)),
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: uint64(i), Op: specs.OpEqualTo}}})
		// A second comparison keeps the rules out of one run.
		s.Syscalls[i].Args = append(s.Syscalls[i].Args, specs.LinuxSeccompArg{Index: 1, Value: 0, Op: specs.OpEqualTo})
	}
	return s
}

func modeLong(r *results) error {
	p, err := Compile(longProfile())
	if err != nil {
		return err
	}
	if err := p.Load(); err != nil {
		return err
	}
	for _, i := range []uintptr{0, 75, 149, 150} {
		r.sys(fmt.Sprintf("getppid_%d", i), unix.SYS_GETPPID, i, 0)
	}
	r.sys("getpid", unix.SYS_GETPID)
	return nil
}

// modeNoCapSysAdmin loads with neither no_new_privs nor CAP_SYS_ADMIN.
func modeNoCapSysAdmin(r *results) error {
	r.errno("drop_sys_admin", dropSysAdmin())
	err := loadDefault(r)
	var e unix.Errno
	if !errors.As(err, &e) {
		return fmt.Errorf("load without no_new_privs and CAP_SYS_ADMIN: %v", err)
	}
	r.errno("load", e)
	r.add("load_error", err.Error())
	return nil
}

// dropSysAdmin clears CAP_SYS_ADMIN from this thread's effective set
// (capabilities are per thread).
func dropSysAdmin() unix.Errno {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err.(unix.Errno)
	}
	data[0].Effective &^= 1 << unix.CAP_SYS_ADMIN
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return err.(unix.Errno)
	}
	return 0
}

// modeLocalhost loads the Localhost profile named by the helper root env
// ("root:relative path") as Choose reads it.
func modeLocalhost(r *results) error {
	root, rel, _ := strings.Cut(os.Getenv(helperRootEnv), ":")
	s, err := Choose(Localhost, rel, root, specWithCaps(defaultCaps...))
	if err != nil {
		return err
	}
	p, err := Compile(s)
	if err != nil {
		return err
	}
	if err := p.Load(); err != nil {
		return err
	}
	r.sys("getppid", unix.SYS_GETPPID)
	r.sys("getpid", unix.SYS_GETPID)
	u := new(unix.Utsname)
	r.sys("uname", unix.SYS_UNAME, addr(u))
	runtime.KeepAlive(u)
	return nil
}

// addrNoRandomize is ADDR_NO_RANDOMIZE of <linux/personality.h>.
const addrNoRandomize = 0x0040000

func negOne(v int) int32 { return int32(v) }

// runHelper runs the test binary as a helper child in mode.
func runHelper(t testing.TB, mode string, env ...string) (map[string]string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && stderr.Len() > 0 {
		t.Logf("helper %s stderr: %s", mode, stderr.String())
	}
	out := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out, err
}

// absent, as a wanted result, means the child must not report the key.
const absent = "-"

// checkResults compares the child's results with want.
func checkResults(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		v, ok := got[k]
		switch {
		case w == "":
			t.Fatalf("want for %s is empty: say absent or a result", k)
		case w == absent && ok:
			t.Errorf("%s: %q, want no such result", k, v)
		case w != absent && v != w:
			t.Errorf("%s: %q, want %q", k, v, w)
		}
	}
}
