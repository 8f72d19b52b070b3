package seccomp

import "golang.org/x/sys/unix"

// maxJump is the farthest a conditional BPF jump reaches (jt and jf are
// 8-bit instruction counts); farther targets go through a JA trampoline.
const maxJump = 255

// label names an emitted instruction by its index in emitter.rev.
type label int

// emitter writes a BPF program backwards, last instruction first. seccomp
// programs only jump forward, so every jump's target already exists when
// the jump is written and its distance is known at once; a target out of
// reach gets a JA trampoline right after the jump. One pass, no fix-ups.
type emitter struct {
	rev  []unix.SockFilter
	rets map[uint32]label // shared return instructions, by value
}

// nearRet is how far a shared return may already be when it is handed
// out; the jumps to it come later and land farther, and past maxJump
// each needs a trampoline, so a fresh return is cheaper by then.
const nearRet = 200

// next is the label of the instruction that follows, in program order,
// the one about to be emitted.
func (e *emitter) next() label { return label(len(e.rev) - 1) }

func (e *emitter) put(code uint16, jt, jf uint8, k uint32) label {
	e.rev = append(e.rev, unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k})
	return e.next()
}

// ret emits "return k".
func (e *emitter) ret(k uint32) label {
	return e.put(unix.BPF_RET|unix.BPF_K, 0, 0, k)
}

// shared returns a "return k" instruction, reusing one emitted before
// while it is near: most leaves of a search return one of two or three
// actions, and every instruction makes Load slower (the kernel translates
// and JIT-compiles the program, about 0.2 µs an instruction).
func (e *emitter) shared(k uint32) label {
	if l, ok := e.rets[k]; ok && e.dist(l) <= nearRet {
		return l
	}
	if e.rets == nil {
		e.rets = map[uint32]label{}
	}
	e.rets[k] = e.ret(k)
	return e.rets[k]
}

// load emits "A = 32-bit word at off in seccomp_data".
func (e *emitter) load(off uint32) label {
	return e.put(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0, 0, off)
}

// and emits "A &= k".
func (e *emitter) and(k uint32) label {
	return e.put(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, 0, 0, k)
}

// ja emits an unconditional jump to t, or nothing when t is next anyway.
func (e *emitter) ja(t label) label {
	if t == e.next() {
		return t
	}
	return e.put(unix.BPF_JMP|unix.BPF_JA, 0, 0, uint32(len(e.rev)-int(t)-1))
}

// jump emits "if A <op> k goto t else goto f" (op: BPF_JEQ, BPF_JGT,
// BPF_JGE), and returns its label. When both targets are the same the test
// is pointless and only a jump is emitted.
func (e *emitter) jump(op uint16, k uint32, t, f label) label {
	if t == f {
		return e.ja(t)
	}
	if e.dist(f) > maxJump {
		f = e.put(unix.BPF_JMP|unix.BPF_JA, 0, 0, uint32(e.dist(f)))
	}
	if e.dist(t) > maxJump {
		t = e.put(unix.BPF_JMP|unix.BPF_JA, 0, 0, uint32(e.dist(t)))
	}
	return e.put(unix.BPF_JMP|op|unix.BPF_K, uint8(e.dist(t)), uint8(e.dist(f)), k)
}

// dist is how many instructions a jump emitted now skips to reach t.
func (e *emitter) dist(t label) int { return len(e.rev) - int(t) - 1 }

// program returns the instructions in program order.
func (e *emitter) program() []unix.SockFilter {
	out := make([]unix.SockFilter, len(e.rev))
	for i, ins := range e.rev {
		out[len(out)-1-i] = ins
	}
	return out
}
