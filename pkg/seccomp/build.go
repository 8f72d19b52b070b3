package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// build lays out the program:
//
//	A = arch; one test per audit arch of abis; else return badArch
//	per arch: A = nr; binary search over nr; leaves with argument rules
//
// On x86_64 the x32 bit is tested before the search, so an x32 number is
// only ever compared with x32 numbers (or meets badArch when SCMP_ARCH_X32
// is not listed). Sections are emitted last first (see emitter).
func build(p *profile, abis []abi) []unix.SockFilter {
	e := &emitter{rev: make([]unix.SockFilter, 0, 512)}
	type entry struct {
		audit uint32
		at    label
	}
	var entries []entry // in reverse program order
	hasX32 := false
	for _, a := range abis {
		hasX32 = hasX32 || a.arch == specs.ArchX32
	}
	for i := len(abis) - 1; i >= 0; i-- {
		a := abis[i]
		switch a.arch {
		case specs.ArchX32: // inside the x86_64 section
			continue
		case specs.ArchX86_64:
			entries = append(entries, entry{a.audit, e.x86_64(p, hasX32)})
		default:
			e.tree(p.intervals(p.hits(a), 0), a.wide)
			entries = append(entries, entry{a.audit, e.load(offNr)})
		}
	}
	next := e.shared(badArch)
	for _, en := range entries {
		next = e.jump(unix.BPF_JEQ, en.audit, en.at, next)
	}
	e.load(offArch)
	return e.program()
}

// x86_64 emits the AUDIT_ARCH_X86_64 section: numbers with the x32 bit go
// to the x32 search (or badArch), the rest to the x86_64 search. nr -1 is
// not an x32 call: tracers and syscall(-1) use it, and it gets the default
// action.
func (e *emitter) x86_64(p *profile, hasX32 bool) label {
	var x32 label
	if hasX32 {
		x32 = e.tree(p.intervals(p.hits(abiX32), x32Bit), abiX32.wide)
	} else {
		x32 = e.shared(badArch)
	}
	minus1 := e.shared(p.deflt)
	x32 = e.jump(unix.BPF_JEQ, 0xffffffff, minus1, x32)
	native := e.tree(p.intervals(p.hits(abiX86_64), 0), abiX86_64.wide)
	e.jump(unix.BPF_JGE, x32Bit, x32, native)
	return e.load(offNr)
}
