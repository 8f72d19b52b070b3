package seccomp

import (
	"errors"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// maxInsns is the kernel's limit on a classic BPF program (BPF_MAXINSNS).
const maxInsns = 4096

// badArch is the action for a syscall of an ABI the profile does not
// cover: another audit arch, or an x32 number when SCMP_ARCH_X32 is not
// listed. The profile says nothing about such calls and its rules cannot
// be applied to their numbers, so even a default-allow profile must not
// let them through: that is the classic way around a filter (x32 or
// int $0x80). libseccomp's default for this case is to kill as well; the
// whole process goes, not one thread, so that no half-dead process stays.
const badArch = unix.SECCOMP_RET_KILL_PROCESS

// Program is a compiled seccomp filter for this machine's architecture.
type Program struct {
	insns []unix.SockFilter
	flags uint
	// Unknown lists the syscall names of the profile that none of the
	// filter's ABIs knows. They are skipped, as runc skips names its
	// libseccomp cannot resolve; callers may log them.
	Unknown []string
}

// Len is the number of BPF instructions.
func (p *Program) Len() int { return len(p.insns) }

// Instructions returns a copy of the BPF program.
func (p *Program) Instructions() []unix.SockFilter { return slices.Clone(p.insns) }

// rule is one profile rule with its names resolved and action encoded.
type rule struct {
	nrs    []*[numABIs]int32
	action uint32
	conds  []cond
}

// profile is a validated LinuxSeccomp.
type profile struct {
	deflt   uint32
	rules   []*rule
	unknown []string
	flags   uint
	hint    int      // for lookupFrom
	keys    []uint64 // scratch of hits
}

// Compile turns the OCI seccomp section into a BPF program for this
// machine's architecture.
func Compile(s *specs.LinuxSeccomp) (*Program, error) {
	f, err := nativeFamily()
	if err != nil {
		return nil, err
	}
	return compileFor(s, f)
}

// Validate reports whether Compile would accept s, without building the
// program: the same checks, for callers that only write the profile.
func Validate(s *specs.LinuxSeccomp) error {
	f, err := nativeFamily()
	if err != nil {
		return err
	}
	if _, err := parseProfile(s); err != nil {
		return err
	}
	_, err = selectABIs(f, s.Architectures)
	return err
}

func compileFor(s *specs.LinuxSeccomp, f family) (*Program, error) {
	p, err := parseProfile(s)
	if err != nil {
		return nil, err
	}
	abis, err := selectABIs(f, s.Architectures)
	if err != nil {
		return nil, err
	}
	insns := build(p, abis)
	if len(insns) > maxInsns {
		return nil, fmt.Errorf("compile seccomp profile: %d BPF instructions, the kernel takes at most %d", len(insns), maxInsns)
	}
	return &Program{insns: insns, flags: p.flags, Unknown: p.unknown}, nil
}

func parseProfile(s *specs.LinuxSeccomp) (*profile, error) {
	if s == nil {
		return nil, errors.New("no seccomp profile to compile")
	}
	if s.ListenerPath != "" || s.ListenerMetadata != "" {
		return nil, errors.New("seccomp listenerPath is not supported: minipod runs no seccomp agent")
	}
	deflt, err := action(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("default %w", err)
	}
	p := &profile{deflt: deflt}
	if p.flags, err = loadFlags(s.Flags); err != nil {
		return nil, err
	}
	for i := range s.Syscalls {
		if err := p.add(&s.Syscalls[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// add appends the rules of one syscalls entry.
func (p *profile) add(sc *specs.LinuxSyscall) error {
	act, err := action(sc.Action, sc.ErrnoRet)
	if err != nil {
		return fmt.Errorf("syscalls %v: %w", sc.Names, err)
	}
	var nrs []*[numABIs]int32
	for _, name := range sc.Names {
		if name == "" {
			return fmt.Errorf("syscalls %v: empty syscall name", sc.Names)
		}
		n, hint := lookupFrom(name, p.hint)
		p.hint = hint
		if n != nil {
			nrs = append(nrs, n)
		} else if !slices.Contains(p.unknown, name) {
			p.unknown = append(p.unknown, name)
		}
	}
	groups, err := condGroups(sc.Args)
	if err != nil {
		return fmt.Errorf("syscalls %v: %w", sc.Names, err)
	}
	for _, conds := range groups {
		p.rules = append(p.rules, &rule{nrs: nrs, action: act, conds: conds})
	}
	return nil
}

// condGroups returns the rules one entry's args make. The args of a rule
// must all hold, except when one argument index appears twice: runc then
// makes each comparison a rule of its own (either may match), and
// docker's profiles are written for that, so minipod does the same.
func condGroups(args []specs.LinuxSeccompArg) ([][]cond, error) {
	var conds []cond
	var seen [6]bool
	repeated := false
	for _, a := range args {
		if a.Index > 5 {
			return nil, fmt.Errorf("seccomp argument index %d is above 5", a.Index)
		}
		switch a.Op {
		case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
			specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual:
		default:
			return nil, fmt.Errorf("unknown seccomp operator %q", a.Op)
		}
		repeated = repeated || seen[a.Index]
		seen[a.Index] = true
		conds = append(conds, cond{index: a.Index, op: a.Op, value: a.Value, value2: a.ValueTwo})
	}
	if !repeated {
		return [][]cond{conds}, nil
	}
	groups := make([][]cond, len(conds))
	for i := range conds {
		groups[i] = conds[i : i+1]
	}
	return groups, nil
}
