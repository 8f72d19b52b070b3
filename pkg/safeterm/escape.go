package safeterm

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// String is s with its control characters escaped (see Writer).
func String(s string) string { return string(appendEscaped(nil, []byte(s))) }

// Writer returns a writer that writes to w what it is given with every
// control character escaped: C0 (but newline and tab), DEL and C1; and
// every byte that is not UTF-8, which includes a rune cut in two by the
// end of a write (C1's two bytes, written apart, would otherwise reach the
// terminal whole).
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct{ w io.Writer }

func (e *writer) Write(p []byte) (int, error) {
	if _, err := e.w.Write(appendEscaped(nil, p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func appendEscaped(out, p []byte) []byte {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && size <= 1:
			// Not UTF-8, or a sequence cut short by the end of the
			// buffer: a terminal of another charset may take a byte of
			// 0x80-0x9f for a control.
			out = fmt.Appendf(out, `\x%02x`, p[0])
		case control(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	return out
}

func control(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f
}
