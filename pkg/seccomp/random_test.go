package seccomp

import (
	"math/rand"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// reference decides what a profile does with one syscall by reading the
// profile directly, rule after rule; the compiled program must agree.
func reference(s *specs.LinuxSeccomp, goarch string, d seccompData) uint32 {
	f, _ := familyOf(goarch)
	abis, _ := selectABIs(f, s.Architectures)
	deflt := refAction(s.DefaultAction, s.DefaultErrnoRet)
	var a *abi
	for i := range abis {
		if abis[i].audit == d.arch && abis[i].arch != specs.ArchX32 {
			a = &abis[i]
		}
	}
	if a != nil && a.arch == specs.ArchX86_64 && d.nr >= x32Bit {
		if d.nr == 0xffffffff {
			return deflt
		}
		a = nil
		for i := range abis {
			if abis[i].arch == specs.ArchX32 {
				a = &abis[i]
			}
		}
	}
	if a == nil {
		return unix.SECCOMP_RET_KILL_PROCESS
	}
	for _, sc := range s.Syscalls {
		named := false
		for _, n := range sc.Names {
			nrs := lookup(n)
			named = named || nrs != nil && nrs[a.col] >= 0 && uint32(nrs[a.col]) == d.nr
		}
		if named && refArgs(sc.Args, d, a.wide) {
			return refAction(sc.Action, sc.ErrnoRet)
		}
	}
	return deflt
}

// refArgs: all comparisons must hold, unless an index repeats (then any).
func refArgs(args []specs.LinuxSeccompArg, d seccompData, wide bool) bool {
	idx := map[uint]bool{}
	for _, a := range args {
		idx[a.Index] = true
	}
	some, all := false, true
	for _, a := range args {
		v := d.args[a.Index]
		if !wide {
			v = uint64(uint32(v))
		}
		var ok bool
		switch a.Op {
		case specs.OpEqualTo:
			ok = v == a.Value
		case specs.OpNotEqual:
			ok = v != a.Value
		case specs.OpLessThan:
			ok = v < a.Value
		case specs.OpLessEqual:
			ok = v <= a.Value
		case specs.OpGreaterThan:
			ok = v > a.Value
		case specs.OpGreaterEqual:
			ok = v >= a.Value
		case specs.OpMaskedEqual:
			ok = v&a.Value == a.ValueTwo
		}
		some, all = some || ok, all && ok
	}
	if len(idx) < len(args) {
		return some
	}
	return all
}

func refAction(a specs.LinuxSeccompAction, errno *uint) uint32 {
	data := uint32(1)
	if errno != nil {
		data = uint32(*errno)
	}
	return map[specs.LinuxSeccompAction]uint32{
		specs.ActAllow: unix.SECCOMP_RET_ALLOW, specs.ActLog: unix.SECCOMP_RET_LOG,
		specs.ActTrap: unix.SECCOMP_RET_TRAP, specs.ActKillProcess: unix.SECCOMP_RET_KILL_PROCESS,
		specs.ActKillThread: unix.SECCOMP_RET_KILL_THREAD, specs.ActErrno: unix.SECCOMP_RET_ERRNO | data,
		specs.ActTrace: unix.SECCOMP_RET_TRACE | data,
	}[a]
}

var (
	randNames = []string{"getpid", "getppid", "read", "write", "socket", "personality", "clone",
		"chown32", "rt_sigaction", "uselib", "arm_sync_file_range", "set_tls", "mmap2", "no_such_call", "listns"}
	randValues = []uint64{0, 1, 2, 7, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 + 1,
		0xffffffff00000000, 0x8000000000000000, ^uint64(0), ^uint64(0) - 1}
	randOps = []specs.LinuxSeccompOperator{specs.OpEqualTo, specs.OpNotEqual, specs.OpLessThan,
		specs.OpLessEqual, specs.OpGreaterThan, specs.OpGreaterEqual, specs.OpMaskedEqual}
	randActions = []specs.LinuxSeccompAction{specs.ActAllow, specs.ActErrno, specs.ActLog,
		specs.ActTrap, specs.ActKillProcess, specs.ActTrace, specs.ActKillThread}
	randArches = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32, specs.ArchAARCH64, specs.ArchARM}
)

// randProfile makes a random profile; a runny one has rules of few
// actions with one comparison each, so that runs (see run.go) form.
func randProfile(r *rand.Rand, entries int, runny bool) *specs.LinuxSeccomp {
	actions, maxArgs, maxIndex := randActions, 4, 3
	if runny {
		actions, maxArgs, maxIndex = randActions[:2], 1, 2
	}
	s := &specs.LinuxSeccomp{DefaultAction: randActions[r.Intn(len(randActions))]}
	for _, a := range randArches {
		if r.Intn(2) == 0 {
			s.Architectures = append(s.Architectures, a)
		}
	}
	for i := 0; i < entries; i++ {
		sc := specs.LinuxSyscall{Action: actions[r.Intn(len(actions))]}
		if sc.Action == specs.ActErrno || sc.Action == specs.ActTrace {
			sc.ErrnoRet = uintp(uint(r.Intn(4096)))
		}
		for n := 1 + r.Intn(3); n > 0; n-- {
			sc.Names = append(sc.Names, randNames[r.Intn(len(randNames))])
		}
		if runny {
			sc.Names = sc.Names[:1]
		}
		for n := r.Intn(maxArgs + 1); n > 0; n-- {
			sc.Args = append(sc.Args, specs.LinuxSeccompArg{Index: uint(r.Intn(maxIndex)), Op: randOps[r.Intn(len(randOps))],
				Value: randValues[r.Intn(len(randValues))], ValueTwo: randValues[r.Intn(len(randValues))]})
		}
		s.Syscalls = append(s.Syscalls, sc)
	}
	return s
}

func randData(r *rand.Rand) seccompData {
	d := seccompData{arch: []uint32{archX86_64, archI386, archAARCH64, archARM, 0x1234}[r.Intn(5)]}
	if nrs := lookup(randNames[r.Intn(len(randNames))]); nrs != nil && r.Intn(4) > 0 {
		d.nr = uint32(nrs[r.Intn(numABIs)])
	} else {
		d.nr = uint32(r.Intn(600))
	}
	switch r.Intn(6) {
	case 0:
		d.nr ^= x32Bit
	case 1:
		d.nr++
	case 2:
		d.nr = 0xffffffff
	}
	for i := range d.args {
		d.args[i] = randValues[r.Intn(len(randValues))] + uint64(r.Intn(2))
	}
	return d
}

// TestAgainstReference compiles random profiles, small and large enough
// to need trampolines, and checks the program against the profile on
// random syscalls of every ABI.
func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	trampolines := 0
	for i := 0; i < 400; i++ {
		s := randProfile(r, 1+r.Intn([]int{8, 60, 200}[i%3]), i%2 == 1)
		for _, goarch := range []string{"amd64", "arm64"} {
			f, _ := familyOf(goarch)
			p, err := compileFor(s, f)
			if err != nil {
				if strings.Contains(err.Error(), "at most 4096") {
					continue
				}
				t.Fatalf("compile: %v", err)
			}
			trampolines += countJA(p.insns)
			vm := newVM(t, p.insns)
			for j := 0; j < 200; j++ {
				d := randData(r)
				if got, want := runVM(t, vm, d), reference(s, goarch, d); got != want {
					t.Fatalf("%s profile %d: arch %#x nr %#x args %#x: got %#x, want %#x\nprofile: %+v", goarch, i, d.arch, d.nr, d.args, got, want, s)
				}
			}
		}
	}
	if trampolines == 0 {
		t.Error("no program needed a trampoline: the long-jump path went untested")
	}
}

func countJA(insns []unix.SockFilter) int {
	n := 0
	for _, in := range insns {
		if in.Code == unix.BPF_JMP|unix.BPF_JA {
			n++
		}
	}
	return n
}

func TestLongLeaf(t *testing.T) {
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}}
	for i := 0; i < 150; i++ {
		s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(100 + i)),
			Args: []specs.LinuxSeccompArg{{Index: 2, Value: uint64(i) << 32, Op: specs.OpEqualTo}}})
	}
	s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: []string{"read", "getppid", "listns"}, Action: specs.ActAllow})
	p, run := vmFor(t, s, "amd64")
	if countJA(p.insns) == 0 {
		t.Fatalf("%d instructions and no trampoline", p.Len())
	}
	for _, c := range []struct {
		arch, nr uint32
		arg      uint64
		want     uint32
	}{
		{archX86_64, 39, 0, retErrno(100)},
		{archX86_64, 39, 149 << 32, retErrno(249)},
		{archX86_64, 39, 150 << 32, retEPERM},
		{archX86_64, 0, 0, retAllow},
		{archX86_64, 110, 0, retAllow},
		{archX86_64, 470, 0, retAllow},
		{archX86_64, x32Bit | 39, 7 << 32, retErrno(107)},
		{archX86_64, x32Bit | 110, 0, retAllow},
		{archI386, 20, 3 << 32, retErrno(100)},
		{archI386, 64, 0, retAllow},
	} {
		if got := runVM2(run, c.arch, c.nr, 2, c.arg); got != c.want {
			t.Errorf("arch %#x nr %#x arg2 %#x: %#x, want %#x", c.arch, c.nr, c.arg, got, c.want)
		}
	}
}

func TestTooLong(t *testing.T) {
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	for i := 0; i < 2000; i++ {
		s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActLog,
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: uint64(i) << 32, Op: specs.OpEqualTo}}})
	}
	_, err := Compile(s)
	if err == nil || !strings.Contains(err.Error(), "at most 4096") {
		t.Fatalf("Compile: %v, want the instruction limit", err)
	}
}
