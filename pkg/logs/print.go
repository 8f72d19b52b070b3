package logs

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// printer turns records into the text `kubectl logs` shows: partial records
// joined to their line, one newline per line, and optionally the line's
// timestamp (that of its first record) in front.
type printer struct {
	w          *bufio.Writer
	timestamps bool
	skip       int  // logical lines to leave out from the start (tail)
	lines      int  // logical lines started so far
	midLine    bool // the last record was partial: the next one continues its line
}

func newPrinter(out io.Writer, timestamps bool, skip int) *printer {
	return &printer{w: bufio.NewWriter(out), timestamps: timestamps, skip: skip}
}

// print writes one record. Output is buffered until flush.
func (p *printer) print(rec record) error {
	startsLine := !p.midLine
	if startsLine {
		p.lines++
	}
	p.midLine = rec.partial
	if p.lines <= p.skip {
		return nil
	}
	if p.timestamps && startsLine {
		var stamp [64]byte
		p.w.Write(rec.time.AppendFormat(stamp[:0], time.RFC3339Nano))
		p.w.WriteByte(' ')
	}
	p.w.Write(rec.content)
	if !rec.partial {
		p.w.WriteByte('\n')
	}
	// bufio.Writer errors are sticky, so one more call reports any failure
	// of the writes above.
	if _, err := p.w.Write(nil); err != nil {
		return fmt.Errorf("write logs: %w", err)
	}
	return nil
}

func (p *printer) flush() error {
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("write logs: %w", err)
	}
	return nil
}
