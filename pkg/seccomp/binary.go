package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// A compiled program can be kept, so that a process that would compile
// the same profile again (exec into a running container) only reads and
// loads it. The encoding is little-endian (both supported families are):
// the load flags as 4 bytes, then 8 bytes per instruction: code (2), jt,
// jf, k (4). Program.Unknown is not kept.

const (
	flagBytes = 4
	insnBytes = 8
)

// MarshalBinary encodes p.
func (p *Program) MarshalBinary() ([]byte, error) {
	b := make([]byte, flagBytes, flagBytes+insnBytes*len(p.insns))
	binary.LittleEndian.PutUint32(b, uint32(p.flags))
	for _, in := range p.insns {
		b = binary.LittleEndian.AppendUint16(b, in.Code)
		b = append(b, in.Jt, in.Jf)
		b = binary.LittleEndian.AppendUint32(b, in.K)
	}
	return b, nil
}

// UnmarshalBinary decodes a program MarshalBinary wrote, and checks that
// it is one Compile could have made: known flags, only the instructions
// the compiler emits, loads inside seccomp_data, jumps inside the
// program, a return at the end.
func (p *Program) UnmarshalBinary(b []byte) error {
	n := (len(b) - flagBytes) / insnBytes
	if len(b) < flagBytes+insnBytes || (len(b)-flagBytes)%insnBytes != 0 || n > maxInsns {
		return fmt.Errorf("decode seccomp program: %d bytes is not a program", len(b))
	}
	flags := uint(binary.LittleEndian.Uint32(b))
	if flags&^(unix.SECCOMP_FILTER_FLAG_LOG|unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0 {
		return fmt.Errorf("decode seccomp program: flags %#x", flags)
	}
	insns := make([]unix.SockFilter, n)
	for i := range insns {
		o := b[flagBytes+insnBytes*i:]
		insns[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(o), Jt: o[2], Jf: o[3], K: binary.LittleEndian.Uint32(o[4:])}
		if err := checkInsn(insns[i], n-i-1); err != nil {
			return fmt.Errorf("decode seccomp program: instruction %d: %w", i, err)
		}
	}
	if insns[n-1].Code != unix.BPF_RET|unix.BPF_K {
		return errors.New("decode seccomp program: it does not end in a return")
	}
	p.insns, p.flags, p.Unknown = insns, flags, nil
	return nil
}

// checkInsn accepts the instructions the compiler emits; left is how
// many instructions follow it.
func checkInsn(in unix.SockFilter, left int) error {
	switch in.Code {
	case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
		if in.K%4 != 0 || in.K >= 64 {
			return fmt.Errorf("load outside seccomp_data: offset %d", in.K)
		}
	case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, unix.BPF_RET | unix.BPF_K:
	case unix.BPF_JMP | unix.BPF_JA:
		if int64(in.K) >= int64(left) {
			return errors.New("jump past the end")
		}
	case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
		if int(in.Jt) >= left || int(in.Jf) >= left {
			return errors.New("jump past the end")
		}
	default:
		return fmt.Errorf("unexpected opcode %#x", in.Code)
	}
	return nil
}
