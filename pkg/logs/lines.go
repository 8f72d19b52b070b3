package logs

import (
	"bytes"
	"io"
)

// smallLine is all a lineReader holds while lines are short. A copier
// waits on its container's pipe for the pod's whole life; with a
// MaxLineSize buffer each, a two-container pod's four copiers were the
// largest live part of its monitor's heap (64 kB of 166 kB at rest).
const smallLine = 2 << 10

// lineReader splits what it reads into records exactly as a bufio.Reader
// of MaxLineSize does with ReadSlice('\n'): a line without its newline,
// or the first MaxLineSize bytes of a longer one (partial). Its buffer
// grows for a long line, up to MaxLineSize, and goes back to smallLine
// once that line is out.
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int   // the unread bytes are buf[start:end]
	err        error // the reader's error, told once the bytes before it are out
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, smallLine)}
}

// next returns the next record's content, valid until the next call; ok
// is false when there was nothing left to read. A read error comes with
// the bytes read before it, as a full record.
func (l *lineReader) next() (content []byte, partial, ok bool, err error) {
	if l.start == l.end && len(l.buf) > smallLine {
		l.buf, l.start, l.end = make([]byte, smallLine), 0, 0
	}
	for empty := 0; ; {
		data := l.buf[l.start:l.end]
		if i := bytes.IndexByte(data, '\n'); i >= 0 && i < MaxLineSize {
			l.start += i + 1
			return data[:i], false, true, nil
		}
		if len(data) >= MaxLineSize {
			l.start += MaxLineSize
			return data[:MaxLineSize], true, true, nil
		}
		if l.err != nil {
			l.start = l.end
			return data, false, len(data) > 0, l.err
		}
		if l.fill() == 0 && l.err == nil {
			if empty++; empty == 100 {
				l.err = io.ErrNoProgress // as bufio gives up on a reader
			}
		}
	}
}

// fill moves the unread bytes to the front, grows the buffer when they
// fill it (a line longer than it, not yet MaxLineSize), and reads once.
func (l *lineReader) fill() int {
	n := copy(l.buf, l.buf[l.start:l.end])
	l.start, l.end = 0, n
	if l.end == len(l.buf) {
		grown := make([]byte, min(2*len(l.buf), MaxLineSize))
		copy(grown, l.buf[:l.end])
		l.buf = grown
	}
	read, err := l.r.Read(l.buf[l.end:])
	l.end += read
	if err != nil {
		l.err = err
	}
	return read
}
