package logs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

type rec struct {
	content string
	partial bool
}

// bufioRecords splits input as a bufio.Reader of MaxLineSize does with
// ReadSlice('\n'): the rule lineReader keeps.
func bufioRecords(input []byte) []rec {
	br := bufio.NewReaderSize(bytes.NewReader(input), MaxLineSize)
	var out []rec
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			out = append(out, rec{string(line[:len(line)-1]), false})
		case errors.Is(err, bufio.ErrBufferFull):
			out = append(out, rec{string(line), true})
		default:
			if len(line) > 0 {
				out = append(out, rec{string(line), false})
			}
			return out
		}
	}
}

// chunky reads at most a random number of bytes at a time, as a pipe
// hands over what the writer wrote.
type chunky struct {
	r   io.Reader
	rnd *rand.Rand
}

func (c chunky) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), 1+c.rnd.IntN(5000))])
}

func lineRecords(t *testing.T, r io.Reader) []rec {
	t.Helper()
	l := newLineReader(r)
	var out []rec
	for {
		content, partial, ok, err := l.next()
		if ok {
			out = append(out, rec{string(content), partial})
		}
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLineReaderSplitsAsBufio: lines of every length around the buffer's
// sizes and MaxLineSize, read in chunks of any size, make the same
// records as a MaxLineSize bufio.Reader makes; the buffer is small again
// after a long line.
func TestLineReaderSplitsAsBufio(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	lengths := []int{0, 1, smallLine - 1, smallLine, smallLine + 1, MaxLineSize - 1, MaxLineSize, MaxLineSize + 1, 2*MaxLineSize + 7, 40000}
	for round := 0; round < 200; round++ {
		var b strings.Builder
		for n := rnd.IntN(8); n >= 0; n-- {
			size := lengths[rnd.IntN(len(lengths))]
			if rnd.IntN(3) == 0 {
				size = rnd.IntN(3 * MaxLineSize)
			}
			b.WriteString(strings.Repeat(string(rune('a'+rnd.IntN(26))), size))
			if n > 0 || rnd.IntN(2) == 0 {
				b.WriteByte('\n')
			}
		}
		input := []byte(b.String())
		want := bufioRecords(input)
		got := lineRecords(t, chunky{bytes.NewReader(input), rnd})
		if len(got) != len(want) {
			t.Fatalf("round %d: %d records, want %d", round, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("round %d, record %d: %d bytes partial=%v, want %d bytes partial=%v", round, i, len(got[i].content), got[i].partial, len(want[i].content), want[i].partial)
			}
		}
	}
}

func TestLineReaderShrinks(t *testing.T) {
	l := newLineReader(strings.NewReader(strings.Repeat("x", 3*smallLine) + "\nshort\n"))
	if c, _, _, _ := l.next(); len(c) != 3*smallLine {
		t.Fatalf("first record: %d bytes", len(c))
	}
	if c, _, _, _ := l.next(); string(c) != "short" {
		t.Errorf("second record %q, want short", c)
	}
	// Drained, it waits for the next output with a small buffer.
	if _, _, ok, err := l.next(); ok || err != io.EOF || len(l.buf) != smallLine {
		t.Errorf("at the end: ok %v, err %v, a %d-byte buffer; want EOF with %d", ok, err, len(l.buf), smallLine)
	}
}

// zeroReader returns nothing, for ever.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestLineReaderNoProgress(t *testing.T) {
	if _, _, _, err := newLineReader(zeroReader{}).next(); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("err %v, want io.ErrNoProgress", err)
	}
}
