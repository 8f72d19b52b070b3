package seccomp

import (
	"slices"

	"golang.org/x/sys/unix"
)

// leaf is what the filter does for one syscall number: try rules in
// order, first match wins, and return final when none matches. A leaf
// without rules is a plain return.
type leaf struct {
	rules []*rule
	final uint32
}

// interval is a run of syscall numbers from start up to the next
// interval's start that share one leaf.
type interval struct {
	start uint32
	leaf  leaf
}

// hits lists, sorted by number and then in profile order, the numbers the
// profile's rules name on a, each as a key: number << 32 | rule index.
// Names absent on a are skipped. Plain keys sort fast and allocate
// nothing per hit; the buffer is reused from one ABI to the next.
func (p *profile) hits(a abi) []uint64 {
	keys := p.keys[:0]
	for i, r := range p.rules {
		for _, nrs := range r.nrs {
			if nr := nrs[a.col]; nr >= 0 {
				keys = append(keys, uint64(nr)<<32|uint64(i))
			}
		}
	}
	slices.Sort(keys)
	p.keys = keys
	return keys
}

// leafOf builds the leaf for one number's keys: the conditional rules up
// to the first unconditional one, whose action ends the leaf (later rules
// can never match).
func (p *profile) leafOf(keys []uint64) leaf {
	l := leaf{final: p.deflt}
	for _, k := range keys {
		r := p.rules[uint32(k)]
		if len(r.conds) == 0 {
			l.final = r.action
			break
		}
		l.rules = append(l.rules, r)
	}
	return l
}

// plain reports whether l returns k whatever the arguments.
func (l leaf) plain(k uint32) bool { return len(l.rules) == 0 && l.final == k }

// intervals splits [lo, 2^32) into runs of numbers with one leaf; runs of
// unconditional leaves with the same action, and gaps between named
// numbers (the default action), merge.
func (p *profile) intervals(keys []uint64, lo uint32) []interval {
	deflt := p.deflt
	out := make([]interval, 1, len(keys)/2+2)
	out[0] = interval{start: lo, leaf: leaf{final: deflt}}
	next := lo
	for i := 0; i < len(keys); {
		nr := uint32(keys[i] >> 32)
		j := i
		for j < len(keys) && uint32(keys[j]>>32) == nr {
			j++
		}
		l := p.leafOf(keys[i:j])
		i = j
		if nr < lo {
			continue
		}
		last := &out[len(out)-1]
		if nr > next && !last.leaf.plain(deflt) {
			out = append(out, interval{start: next, leaf: leaf{final: deflt}})
			last = &out[len(out)-1]
		}
		switch {
		case last.start == nr: // only the empty default run at lo
			last.leaf = l
		case len(l.rules) > 0 || !last.leaf.plain(l.final):
			out = append(out, interval{start: nr, leaf: l})
		}
		next = nr + 1
	}
	if last := out[len(out)-1]; !last.leaf.plain(deflt) && next != 0 {
		out = append(out, interval{start: next, leaf: leaf{final: deflt}})
	}
	return out
}

// tree emits a balanced binary search over the intervals' starts (A holds
// the syscall number) with each leaf at the bottom, and returns its label.
// Depth is log2 of the number of intervals, so a syscall costs a handful
// of comparisons however long the profile is.
func (e *emitter) tree(iv []interval, wide bool) label {
	if len(iv) == 1 {
		return e.leaf(iv[0].leaf, wide)
	}
	mid := len(iv) / 2
	right := e.tree(iv[mid:], wide)
	left := e.tree(iv[:mid], wide)
	return e.jump(unix.BPF_JGE, iv[mid].start, right, left)
}

// leaf emits the rules of l, each a chain of argument comparisons that
// falls through to the next rule when one fails. Runs of rules that a
// single comparison of the same word decides are emitted as one (see run).
func (e *emitter) leaf(l leaf, wide bool) label {
	next := e.shared(l.final)
	for i := len(l.rules); i > 0; {
		j := runStart(l.rules[:i])
		if i-j > 1 {
			next = e.run(l.rules[j:i], wide, next)
			i = j
			continue
		}
		r := l.rules[i-1]
		start := e.shared(r.action)
		for k := len(r.conds) - 1; k >= 0; k-- {
			start = e.cond(r.conds[k], wide, start, next)
		}
		next = start
		i--
	}
	return next
}
