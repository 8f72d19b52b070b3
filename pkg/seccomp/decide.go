package seccomp

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Call is one system call on this machine's own ABI, as a filter sees it.
type Call struct {
	Name string
	Args [6]uint64
}

// Denied returns the first of calls that p does not let through (any
// action but ALLOW and LOG), or "" when it lets them all through. A name
// this ABI does not have is skipped. It runs the program as the kernel
// would, on the instructions Compile emits; others are an error.
func (p *Program) Denied(calls []Call) (string, error) {
	f, err := nativeFamily()
	if err != nil {
		return "", err
	}
	native := f[0]
	for _, c := range calls {
		nrs := lookup(c.Name)
		if nrs == nil || nrs[native.col] < 0 {
			continue
		}
		ret, err := p.decide(uint32(nrs[native.col]), native.audit, c.Args)
		if err != nil {
			return "", err
		}
		if a := ret & unix.SECCOMP_RET_ACTION_FULL; a != unix.SECCOMP_RET_ALLOW && a != unix.SECCOMP_RET_LOG {
			return c.Name, nil
		}
	}
	return "", nil
}

// decide runs the program over one struct seccomp_data and returns its
// verdict. Jumps only go forward, so the walk ends within len(insns) steps.
func (p *Program) decide(nr, arch uint32, args [6]uint64) (uint32, error) {
	var a uint32
	for pc := 0; pc < len(p.insns); pc++ {
		in := p.insns[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			v, err := dataWord(in.K, nr, arch, args)
			if err != nil {
				return 0, err
			}
			a = v
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			a &= in.K
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			pc += branch(a == in.K, in)
		case unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K:
			pc += branch(a > in.K, in)
		case unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
			pc += branch(a >= in.K, in)
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			pc += branch(a&in.K != 0, in)
		case unix.BPF_RET | unix.BPF_K:
			return in.K, nil
		default:
			return 0, fmt.Errorf("run seccomp program: instruction %d has code %#x", pc, in.Code)
		}
	}
	return 0, errors.New("run seccomp program: it ends without a return")
}

func branch(taken bool, in unix.SockFilter) int {
	if taken {
		return int(in.Jt)
	}
	return int(in.Jf)
}

// dataWord is the 32-bit word at off in struct seccomp_data on a
// little-endian machine (the only ones Compile builds for): nr, arch, the
// instruction pointer (zero here), then each argument's low word and high
// word.
func dataWord(off, nr, arch uint32, args [6]uint64) (uint32, error) {
	switch {
	case off == 0:
		return nr, nil
	case off == 4:
		return arch, nil
	case off == 8 || off == 12:
		return 0, nil
	case off >= 16 && off < 64 && off%4 == 0:
		arg := args[(off-16)/8]
		if (off-16)%8 == 4 {
			return uint32(arg >> 32), nil
		}
		return uint32(arg), nil
	}
	return 0, fmt.Errorf("run seccomp program: load at offset %d", off)
}
