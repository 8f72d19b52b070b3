package seccomp

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func uintp(v uint) *uint { return &v }

// vmFor compiles s for goarch and loads it into the VM.
func vmFor(t *testing.T, s *specs.LinuxSeccomp, goarch string) (*Program, func(seccompData) uint32) {
	t.Helper()
	f, err := familyOf(goarch)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compileFor(s, f)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	vm := newVM(t, p.insns)
	return p, func(d seccompData) uint32 { return runVM(t, vm, d) }
}

// oneArg is a profile that allows getpid when arg 0 satisfies a.
func oneArg(a specs.LinuxSeccompArg) *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{a}}},
	}
}

func TestOperators(t *testing.T) {
	const hi = 1 << 32
	cases := []struct {
		name      string
		op        specs.LinuxSeccompOperator
		v, v2     uint64
		arg       uint64
		want      bool // on x86_64, all 64 bits compared
		want32    bool // on i386, the low 32 bits against the 64-bit value
		arg32note string
	}{
		{"eq low", specs.OpEqualTo, 7, 0, 7, true, true, ""},
		{"eq differs in high word", specs.OpEqualTo, 7, 0, hi + 7, false, true, "high word not seen"},
		{"eq high value", specs.OpEqualTo, hi + 7, 0, hi + 7, true, false, ""},
		{"eq all ones", specs.OpEqualTo, ^uint64(0), 0, ^uint64(0), true, false, ""},
		{"eq 0xffffffff", specs.OpEqualTo, 0xffffffff, 0, 0xffffffff, true, true, ""},
		{"ne equal", specs.OpNotEqual, hi + 1, 0, hi + 1, false, true, ""},
		{"ne high differs", specs.OpNotEqual, hi + 1, 0, 1, true, true, ""},
		{"ne low differs", specs.OpNotEqual, 5, 0, 6, true, true, ""},
		{"ne low equal", specs.OpNotEqual, 5, 0, 5, false, false, ""},
		{"lt below", specs.OpLessThan, 10, 0, 9, true, true, ""},
		{"lt equal", specs.OpLessThan, 10, 0, 10, false, false, ""},
		{"lt high arg", specs.OpLessThan, 10, 0, hi + 1, false, true, ""},
		{"lt high value", specs.OpLessThan, hi, 0, 0xffffffff, true, true, ""},
		{"lt high both", specs.OpLessThan, hi + 5, 0, hi + 4, true, true, ""},
		{"lt high both equal low bigger", specs.OpLessThan, hi + 5, 0, hi + 6, false, true, ""},
		{"le equal", specs.OpLessEqual, 10, 0, 10, true, true, ""},
		{"le above", specs.OpLessEqual, 10, 0, 11, false, false, ""},
		{"le high equal", specs.OpLessEqual, hi + 10, 0, hi + 10, true, true, ""},
		{"le high arg above", specs.OpLessEqual, hi + 10, 0, 2*hi + 1, false, true, ""},
		{"gt above", specs.OpGreaterThan, 10, 0, 11, true, true, ""},
		{"gt equal", specs.OpGreaterThan, 10, 0, 10, false, false, ""},
		{"gt high arg", specs.OpGreaterThan, 10, 0, hi + 1, true, false, ""},
		{"gt high value", specs.OpGreaterThan, hi, 0, 0xffffffff, false, false, ""},
		{"gt high both", specs.OpGreaterThan, hi + 5, 0, hi + 6, true, false, ""},
		{"gt max", specs.OpGreaterThan, ^uint64(0) - 1, 0, ^uint64(0), true, false, ""},
		{"ge equal", specs.OpGreaterEqual, 10, 0, 10, true, true, ""},
		{"ge below", specs.OpGreaterEqual, 10, 0, 9, false, false, ""},
		{"ge high equal", specs.OpGreaterEqual, hi + 3, 0, hi + 3, true, false, ""},
		{"ge high below", specs.OpGreaterEqual, hi + 3, 0, hi + 2, false, false, ""},
		{"ge zero", specs.OpGreaterEqual, 0, 0, 0, true, true, ""},
		{"masked low", specs.OpMaskedEqual, 0xf0, 0x10, 0x1f, true, true, ""},
		{"masked low miss", specs.OpMaskedEqual, 0xf0, 0x10, 0x2f, false, false, ""},
		{"masked high", specs.OpMaskedEqual, 0xff00000000, 0x100000000, hi + 0xffff, true, false, ""},
		{"masked high miss", specs.OpMaskedEqual, 0xff00000000, 0x100000000, 2 * hi, false, false, ""},
		{"masked clone flags clear", specs.OpMaskedEqual, 0x7E020000, 0, 0x11, true, true, ""},
		{"masked clone newuser", specs.OpMaskedEqual, 0x7E020000, 0, unix.CLONE_NEWUSER, false, false, ""},
		{"masked low mask ignores high arg", specs.OpMaskedEqual, 0xff, 1, hi + 1, true, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, run := vmFor(t, oneArg(specs.LinuxSeccompArg{Index: 0, Op: c.op, Value: c.v, ValueTwo: c.v2}), "amd64")
			for _, abi := range []struct {
				arch uint32
				nr   uint32
				want bool
			}{{archX86_64, 39, c.want}, {archI386, 20, c.want32}} {
				want := retEPERM
				if abi.want {
					want = retAllow
				}
				if got := runVM2(run, abi.arch, abi.nr, 0, c.arg); got != want {
					t.Errorf("arch %#x: arg %#x %s %#x/%#x: got %#x, want %#x", abi.arch, c.arg, c.op, c.v, c.v2, got, want)
				}
			}
		})
	}
}

// runVM2 runs with args[idx] = v and a canary in every other argument.
func runVM2(run func(seccompData) uint32, arch, nr uint32, idx int, v uint64) uint32 {
	d := seccompData{nr: nr, arch: arch, ip: 0xdeadbeefcafe}
	for i := range d.args {
		d.args[i] = 0x5555555555555555
	}
	d.args[idx] = v
	return run(d)
}

func TestEveryArgIndex(t *testing.T) {
	for idx := 0; idx < 6; idx++ {
		_, run := vmFor(t, oneArg(specs.LinuxSeccompArg{Index: uint(idx), Op: specs.OpEqualTo, Value: 0x1234_0000_5678}), "amd64")
		if got := runVM2(run, archX86_64, 39, idx, 0x1234_0000_5678); got != retAllow {
			t.Errorf("arg %d equal: got %#x", idx, got)
		}
		if got := runVM2(run, archX86_64, 39, idx, 0x1235_0000_5678); got != retEPERM {
			t.Errorf("arg %d high word differs: got %#x", idx, got)
		}
	}
	if _, err := Compile(oneArg(specs.LinuxSeccompArg{Index: 6, Op: specs.OpEqualTo})); err == nil {
		t.Error("argument index 6 was accepted")
	}
}

func TestActions(t *testing.T) {
	cases := []struct {
		act   specs.LinuxSeccompAction
		errno *uint
		want  uint32
		err   string
	}{
		{specs.ActKill, nil, unix.SECCOMP_RET_KILL_THREAD, ""},
		{specs.ActKillThread, nil, unix.SECCOMP_RET_KILL_THREAD, ""},
		{specs.ActKillProcess, nil, unix.SECCOMP_RET_KILL_PROCESS, ""},
		{specs.ActTrap, nil, unix.SECCOMP_RET_TRAP, ""},
		{specs.ActErrno, nil, retEPERM, ""},
		{specs.ActErrno, uintp(uint(unix.EACCES)), retErrno(unix.EACCES), ""},
		{specs.ActErrno, uintp(0), unix.SECCOMP_RET_ERRNO, ""},
		{specs.ActErrno, uintp(4096), 0, "above 4095"},
		{specs.ActTrace, nil, unix.SECCOMP_RET_TRACE | 1, ""},
		{specs.ActTrace, uintp(42), unix.SECCOMP_RET_TRACE | 42, ""},
		{specs.ActAllow, nil, retAllow, ""},
		{specs.ActAllow, uintp(1), 0, "errnoRet is only"},
		{specs.ActLog, nil, unix.SECCOMP_RET_LOG, ""},
		{specs.ActNotify, nil, 0, "SCMP_ACT_NOTIFY is not supported"},
		{"SCMP_ACT_BOGUS", nil, 0, "unknown seccomp action"},
	}
	for _, c := range cases {
		t.Run(string(c.act), func(t *testing.T) {
			// Once as a rule's action, once as the default action.
			rule := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: c.act, ErrnoRet: c.errno}}}
			deflt := &specs.LinuxSeccomp{DefaultAction: c.act, DefaultErrnoRet: c.errno, Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActLog}}}
			for _, s := range []*specs.LinuxSeccomp{rule, deflt} {
				f, _ := familyOf("amd64")
				p, err := compileFor(s, f)
				if c.err != "" {
					if err == nil || !strings.Contains(err.Error(), c.err) {
						t.Errorf("error %v, want one with %q", err, c.err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				run := func(d seccompData) uint32 { return runVM(t, newVM(t, p.insns), d) }
				if got := run(seccompData{nr: 110, arch: archX86_64}); got != c.want {
					t.Errorf("getppid: got %#x, want %#x", got, c.want)
				}
			}
		})
	}
}

func TestProfileErrors(t *testing.T) {
	cases := []struct {
		name string
		s    *specs.LinuxSeccomp
		err  string
	}{
		{"nil", nil, "no seccomp profile"},
		{"no default", &specs.LinuxSeccomp{}, "action is empty"},
		{"bad arch", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}, "unknown seccomp architecture"},
		{"bad op", oneArg(specs.LinuxSeccompArg{Op: "SCMP_CMP_SOMETIMES"}), "unknown seccomp operator"},
		{"tsync", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}}, "not supported"},
		{"listener", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock"}, "listenerPath"},
		{"empty name", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{""}, Action: specs.ActLog}}}, "empty syscall name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.s)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Compile: %v, want an error with %q", err, c.err)
			}
			if err := Validate(c.s); err == nil {
				t.Error("Validate accepted it")
			}
		})
	}
}

func TestFlags(t *testing.T) {
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow}}
	p, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint(unix.SECCOMP_FILTER_FLAG_LOG | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW); p.flags != want {
		t.Errorf("flags %#x, want %#x", p.flags, want)
	}
}
