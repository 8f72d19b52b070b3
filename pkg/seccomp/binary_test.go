package seccomp

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

func TestBinaryRoundTrip(t *testing.T) {
	s := runtimeDefault(t, defaultCaps...)
	s.Flags = append(s.Flags, "SECCOMP_FILTER_FLAG_LOG")
	p, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 4 + 8*p.Len(); len(b) != want {
		t.Errorf("%d bytes, want %d", len(b), want)
	}
	var q Program
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.insns, p.insns) || q.flags != p.flags {
		t.Error("decoded program differs")
	}
}

func TestBinaryRejects(t *testing.T) {
	p, err := Compile(runtimeDefault(t, defaultCaps...))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := p.MarshalBinary()
	last := len(good) - 8
	cases := []struct {
		name   string
		mutate func([]byte) []byte
		err    string
	}{
		{"empty", func([]byte) []byte { return nil }, "not a program"},
		{"flags only", func(b []byte) []byte { return b[:4] }, "not a program"},
		{"torn", func(b []byte) []byte { return b[:len(b)-3] }, "not a program"},
		{"tsync flag", func(b []byte) []byte { b[0] |= 1; return b }, "flags"},
		{"no return at the end", func(b []byte) []byte { return b[:last] }, "jump past the end"},
		{"load past seccomp_data", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[4:], 0x20)
			binary.LittleEndian.PutUint32(b[8:], 64)
			return b
		}, "load outside"},
		{"foreign opcode", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[4:], 0x07); return b }, "unexpected opcode"},
		{"last is a load", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[last:], 0x20)
			binary.LittleEndian.PutUint32(b[last+4:], 0)
			return b
		}, "does not end in a return"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var q Program
			err := q.UnmarshalBinary(c.mutate(slices.Clone(good)))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v, want an error with %q", err, c.err)
			}
		})
	}
}

// BenchmarkUnmarshalBinary is what exec pays with a kept program instead
// of decoding the profile from JSON and compiling it.
func BenchmarkUnmarshalBinary(b *testing.B) {
	p, err := Compile(runtimeDefault(b, defaultCaps...))
	if err != nil {
		b.Fatal(err)
	}
	data, _ := p.MarshalBinary()
	for b.Loop() {
		var q Program
		if err := q.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes")
}
