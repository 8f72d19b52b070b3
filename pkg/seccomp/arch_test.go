package seccomp

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestSyscallTable(t *testing.T) {
	cases := []struct {
		name string
		want [numABIs]int32
	}{
		{"getpid", [numABIs]int32{39, x32Bit | 39, 20, 172, 20}},
		{"unshare", [numABIs]int32{272, x32Bit | 272, 310, 97, 337}},
		// x32 has its own numbers for syscalls with compat arguments...
		{"rt_sigaction", [numABIs]int32{13, x32Bit | 512, 174, 134, 174}},
		{"execve", [numABIs]int32{59, x32Bit | 520, 11, 221, 11}},
		// ...and lacks the 64-only ones.
		{"uselib", [numABIs]int32{134, -1, 86, -1, 86}},
		{"chown32", [numABIs]int32{-1, -1, 212, -1, 212}},
		{"set_tls", [numABIs]int32{-1, -1, -1, -1, 0xf0005}},
		{"sync_file_range2", [numABIs]int32{-1, -1, -1, -1, 341}},
		{"clone3", [numABIs]int32{435, x32Bit | 435, 435, 435, 435}},
	}
	for _, c := range cases {
		got := lookup(c.name)
		if got == nil || *got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if lookup("no_such_syscall") != nil || lookup("") != nil {
		t.Error("lookup found a name that is not a syscall")
	}
	for i := 1; i < len(syscallTable); i++ {
		if syscallTable[i-1].name >= syscallTable[i].name {
			t.Fatalf("table not sorted at %q", syscallTable[i].name)
		}
	}
}

// getpidOnly allows getpid on the listed architectures and denies the
// rest with EPERM.
func getpidOnly(arches ...specs.Arch) *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: arches,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActAllow}},
	}
}

func TestArchDispatch(t *testing.T) {
	all86 := []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
	cases := []struct {
		name   string
		goarch string
		arches []specs.Arch
		arch   uint32
		nr     uint32
		want   uint32
	}{
		{"x86_64 getpid", "amd64", all86, archX86_64, 39, retAllow},
		{"x86_64 20 is writev", "amd64", all86, archX86_64, 20, retEPERM},
		{"i386 getpid", "amd64", all86, archI386, 20, retAllow},
		{"i386 39 is mkdir", "amd64", all86, archI386, 39, retEPERM},
		{"x32 getpid", "amd64", all86, archX86_64, x32Bit | 39, retAllow},
		{"x32 number that is 64-only", "amd64", all86, archX86_64, x32Bit | 20, retEPERM},
		{"x32 beyond the table", "amd64", all86, archX86_64, x32Bit | 0x3fffffff, retEPERM},
		{"nr -1", "amd64", all86, archX86_64, 0xffffffff, retEPERM},
		{"x86_64 huge nr", "amd64", all86, archX86_64, 0x3fffffff, retEPERM},
		{"i386 not listed", "amd64", []specs.Arch{specs.ArchX86_64}, archI386, 20, retKillPro},
		{"x32 not listed", "amd64", []specs.Arch{specs.ArchX86_64, specs.ArchX86}, archX86_64, x32Bit | 39, retKillPro},
		{"x32 not listed, nr -1", "amd64", []specs.Arch{specs.ArchX86_64}, archX86_64, 0xffffffff, retEPERM},
		{"no architectures means native", "amd64", nil, archX86_64, 39, retAllow},
		{"no architectures: i386 killed", "amd64", nil, archI386, 20, retKillPro},
		{"native always covered", "amd64", []specs.Arch{specs.ArchX86}, archX86_64, 39, retAllow},
		{"foreign arch ignored", "amd64", []specs.Arch{specs.ArchS390X}, archX86_64, 39, retAllow},
		{"arm64 arch on amd64", "amd64", all86, archAARCH64, 172, retKillPro},
		{"aarch64 getpid", "arm64", []specs.Arch{specs.ArchAARCH64, specs.ArchARM}, archAARCH64, 172, retAllow},
		{"aarch64 20", "arm64", []specs.Arch{specs.ArchAARCH64, specs.ArchARM}, archAARCH64, 20, retEPERM},
		{"arm getpid", "arm64", []specs.Arch{specs.ArchAARCH64, specs.ArchARM}, archARM, 20, retAllow},
		{"arm not listed", "arm64", []specs.Arch{specs.ArchAARCH64}, archARM, 20, retKillPro},
		{"x86_64 on arm64", "arm64", []specs.Arch{specs.ArchAARCH64, specs.ArchARM}, archX86_64, 39, retKillPro},
		{"aarch64 x32 bit is just a number", "arm64", nil, archAARCH64, x32Bit | 172, retEPERM},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, run := vmFor(t, getpidOnly(c.arches...), c.goarch)
			if got := run(seccompData{nr: c.nr, arch: c.arch}); got != c.want {
				t.Errorf("arch %#x nr %#x: got %#x, want %#x", c.arch, c.nr, got, c.want)
			}
		})
	}
}

// Arguments of 32-bit ABIs are compared on their low word only: the
// kernel's handlers see no more, whatever the register's high half holds.
func TestNarrowABIIgnoresHighWord(t *testing.T) {
	s := getpidOnly(specs.ArchX86_64, specs.ArchX86)
	s.Syscalls = []specs.LinuxSyscall{{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}}}
	_, run := vmFor(t, s, "amd64")
	i386 := nrOf(t, "personality", colI386)
	if got := runVM2(run, archI386, i386, 0, 0xabcd_0000_0000_0008); got != retAllow {
		t.Errorf("i386 personality(8) with high garbage: %#x", got)
	}
	if got := runVM2(run, archX86_64, 135, 0, 0xabcd_0000_0000_0008); got != retEPERM {
		t.Errorf("x86_64 personality with high bits: %#x", got)
	}
}

func TestUnknownNames(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"no_such_call", "chown32", "s390_runtime_instr"}, Action: specs.ActErrno},
		},
	}
	p, run := vmFor(t, s, "amd64")
	if len(p.Unknown) != 2 || p.Unknown[0] != "no_such_call" || p.Unknown[1] != "s390_runtime_instr" {
		t.Errorf("Unknown = %v", p.Unknown)
	}
	if got := run(seccompData{nr: 212, arch: archI386}); got != retEPERM {
		t.Errorf("i386 chown32: %#x, want EPERM", got)
	}
	if got := run(seccompData{nr: 212, arch: archX86_64}); got != retAllow {
		t.Errorf("x86_64 212 (lookup_dcookie) caught by an i386-only name: %#x", got)
	}
}

func TestFirstMatchWins(t *testing.T) {
	rules := []specs.LinuxSyscall{
		{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.EIO)), Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}},
		{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.ENOENT)), Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpLessEqual}}},
		{Names: []string{"getpid"}, Action: specs.ActAllow},
		{Names: []string{"getpid"}, Action: specs.ActKillProcess},
	}
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: rules}
	_, run := vmFor(t, s, "amd64")
	for arg, want := range map[uint64]uint32{1: retErrno(unix.EIO), 0: retErrno(unix.ENOENT), 2: retAllow} {
		if got := runVM2(run, archX86_64, 39, 0, arg); got != want {
			t.Errorf("getpid(%d): %#x, want %#x", arg, got, want)
		}
	}
}

func TestArgsOfOneRule(t *testing.T) {
	cases := []struct {
		name string
		args []specs.LinuxSeccompArg
		a0   uint64
		a1   uint64
		want uint32
	}{
		{"and: both", []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 2, Op: specs.OpEqualTo}}, 1, 2, retAllow},
		{"and: first only", []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 2, Op: specs.OpEqualTo}}, 1, 3, retEPERM},
		{"and: second only", []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 2, Op: specs.OpEqualTo}}, 0, 2, retEPERM},
		// runc's rule: one index twice makes each comparison its own rule.
		{"same index: low side", []specs.LinuxSeccompArg{{Index: 0, Value: 10, Op: specs.OpGreaterEqual}, {Index: 0, Value: 5, Op: specs.OpLessEqual}}, 3, 0, retAllow},
		{"same index: high side", []specs.LinuxSeccompArg{{Index: 0, Value: 10, Op: specs.OpGreaterEqual}, {Index: 0, Value: 5, Op: specs.OpLessEqual}}, 12, 0, retAllow},
		{"same index: between", []specs.LinuxSeccompArg{{Index: 0, Value: 10, Op: specs.OpGreaterEqual}, {Index: 0, Value: 5, Op: specs.OpLessEqual}}, 7, 0, retEPERM},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActAllow, Args: c.args}}}
			_, run := vmFor(t, s, "amd64")
			d := seccompData{nr: 39, arch: archX86_64}
			d.args[0], d.args[1] = c.a0, c.a1
			if got := run(d); got != c.want {
				t.Errorf("got %#x, want %#x", got, c.want)
			}
		})
	}
}
