package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A run is a sequence of rules of one syscall with the same action, each
// with one comparison, all of the same argument against values with the
// same high word, and no mask. Under first-match the run matches when any
// of its rules does, so the high word is tested once and each rule costs
// one jump on the low word. docker's socket family allow list is such a
// run: 30 rules, each 5 instructions on their own.

// runnable reports whether r can be part of a run.
func runnable(r *rule) bool {
	return len(r.conds) == 1 && r.conds[0].op != specs.OpMaskedEqual
}

// runStart returns where the run that ends with the last of rules starts.
func runStart(rules []*rule) int {
	last := rules[len(rules)-1]
	if !runnable(last) {
		return len(rules) - 1
	}
	c := last.conds[0]
	i := len(rules) - 1
	for i > 0 {
		p := rules[i-1]
		if !runnable(p) || p.action != last.action || p.conds[0].index != c.index || p.conds[0].value>>32 != c.value>>32 {
			break
		}
		i--
	}
	return i
}

// run emits a run of rules; fail is where to go when none matches.
func (e *emitter) run(rules []*rule, wide bool, fail label) label {
	pass := e.shared(rules[0].action)
	at := fail
	for k := len(rules) - 1; k >= 0; k-- {
		c := rules[k].conds[0]
		at = e.lowJump(c.op, uint32(c.value), pass, at)
	}
	off := offArgs + 8*uint32(rules[0].conds[0].index)
	low := e.load(off)
	// What the run does when the high words differ: a comparison holds
	// for an argument above its value (below) when its operator is one
	// of above (below).
	vh := uint32(rules[0].conds[0].value >> 32)
	above, below := fail, fail
	for _, r := range rules {
		switch r.conds[0].op {
		case specs.OpNotEqual:
			above, below = pass, pass
		case specs.OpGreaterThan, specs.OpGreaterEqual:
			above = pass
		case specs.OpLessThan, specs.OpLessEqual:
			below = pass
		}
	}
	switch {
	case !wide && vh == 0:
		return low
	case !wide:
		return below // the high word is 0, below vh
	case vh == 0 || above == below: // nothing is below 0
		e.jump(unix.BPF_JEQ, vh, low, above)
	default:
		eq := e.jump(unix.BPF_JEQ, vh, low, below)
		e.jump(unix.BPF_JGT, vh, above, eq)
	}
	return e.load(off + 4)
}
