package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Offsets in struct seccomp_data: nr, arch, instruction_pointer, args[6].
// The 64-bit arguments are two 32-bit words, low word first: both ABIs
// families minipod supports are little-endian.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// cond is one argument comparison of a rule.
type cond struct {
	index  uint
	op     specs.LinuxSeccompOperator
	value  uint64 // the mask for SCMP_CMP_MASKED_EQ
	value2 uint64 // the datum for SCMP_CMP_MASKED_EQ
}

// hiOutcome is what the comparison of the high words decides.
type hiOutcome int

const (
	hiPass hiOutcome = iota // the whole comparison holds
	hiFail                  // the whole comparison fails
	hiLow                   // equal high words: the low words decide
)

// staticHigh decides the high-word comparison when the argument's high
// word is known to be zero: on 32-bit ABIs (the kernel uses only the low
// 32 bits there) and under a mask with no high bits.
func staticHigh(op specs.LinuxSeccompOperator, vh uint32) hiOutcome {
	if vh == 0 {
		return hiLow
	}
	switch op {
	case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual:
		return hiPass
	}
	return hiFail
}

// cond emits the code for c; it jumps to pass when c holds and to fail
// when not. Values are compared unsigned, as libseccomp does.
func (e *emitter) cond(c cond, wide bool, pass, fail label) label {
	mask, v := ^uint64(0), c.value
	if c.op == specs.OpMaskedEqual {
		mask, v = c.value, c.value2
	}
	mh, vh := uint32(mask>>32), uint32(v>>32)
	off := offArgs + 8*uint32(c.index)
	if !wide || mh == 0 {
		switch staticHigh(c.op, vh) {
		case hiPass:
			return pass
		case hiFail:
			return fail
		}
		return e.low(c.op, uint32(mask), uint32(v), off, pass, fail)
	}
	lo := e.low(c.op, uint32(mask), uint32(v), off, pass, fail)
	switch c.op {
	case specs.OpEqualTo:
		e.jump(unix.BPF_JEQ, vh, lo, fail)
	case specs.OpMaskedEqual:
		e.jump(unix.BPF_JEQ, vh, lo, fail)
		if mh != ^uint32(0) {
			e.and(mh)
		}
	case specs.OpNotEqual:
		e.jump(unix.BPF_JEQ, vh, lo, pass)
	case specs.OpGreaterThan, specs.OpGreaterEqual:
		eq := e.jump(unix.BPF_JEQ, vh, lo, fail)
		e.jump(unix.BPF_JGT, vh, pass, eq)
	case specs.OpLessThan, specs.OpLessEqual:
		eq := e.jump(unix.BPF_JEQ, vh, lo, pass)
		e.jump(unix.BPF_JGT, vh, fail, eq)
	}
	return e.load(off + 4)
}

// low emits the load and comparison of the low words.
func (e *emitter) low(op specs.LinuxSeccompOperator, ml, vl, off uint32, pass, fail label) label {
	e.lowJump(op, vl, pass, fail)
	if op == specs.OpMaskedEqual && ml != ^uint32(0) {
		e.and(ml)
	}
	return e.load(off)
}

// lowJump emits the jump that compares A, a low word, with vl.
func (e *emitter) lowJump(op specs.LinuxSeccompOperator, vl uint32, pass, fail label) label {
	switch op {
	case specs.OpNotEqual:
		return e.jump(unix.BPF_JEQ, vl, fail, pass)
	case specs.OpGreaterThan:
		return e.jump(unix.BPF_JGT, vl, pass, fail)
	case specs.OpGreaterEqual:
		return e.jump(unix.BPF_JGE, vl, pass, fail)
	case specs.OpLessThan:
		return e.jump(unix.BPF_JGE, vl, fail, pass)
	case specs.OpLessEqual:
		return e.jump(unix.BPF_JGT, vl, fail, pass)
	}
	return e.jump(unix.BPF_JEQ, vl, pass, fail) // EQ, MASKED_EQ
}
