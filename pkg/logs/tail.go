package logs

import (
	"fmt"
	"io"
)

// tailStart finds where the last tail lines begin: the first file to print
// (an index into c.rotated, len(c.rotated) for the current file) and how
// many lines to leave out of what is printed from there. It counts from the
// current file backwards and stops at the first file that, with the newer
// ones, holds more than tail lines, so a short tail of a long log reads
// only the newest files. Printing then starts at that file's first record
// even if it continues a line of the file before (a line may span a
// rotation): the count treats that piece as a line too, and being the
// first it is always among the lines left out. Lines appended between the
// two passes are simply printed after the tail.
func (c *chain) tailStart(tail int) (from, skip int, err error) {
	if tail < 0 {
		return 0, 0, nil
	}
	var t lineCount
	if c.cur != nil {
		if _, err := c.cur.Seek(0, io.SeekStart); err != nil {
			return 0, 0, fmt.Errorf("rewind log: %w", err)
		}
		if err := t.add(c.cur); err != nil {
			return 0, 0, err
		}
	}
	from = len(c.rotated)
	for from > 0 && t.lines() <= tail {
		from--
		s, ok, err := c.source(from)
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			continue
		}
		r, err := s.reader()
		if err != nil {
			return 0, 0, err
		}
		if err := t.add(r); err != nil {
			return 0, 0, err
		}
	}
	return from, max(t.lines()-tail, 0), nil
}

// lineCount counts logical lines over files added newest first. Every line
// ends in a full record except an unfinished one at the very end, so the
// lines are the full records plus one if the newest record is partial.
type lineCount struct {
	full    int
	open    bool // the newest record is partial
	settled bool // the newest record has been seen
}

func (t *lineCount) lines() int {
	if t.open {
		return t.full + 1
	}
	return t.full
}

// add counts the records of one file, older than those added before.
func (t *lineCount) add(r io.Reader) error {
	rr := newRecordReader(r)
	seen, lastPartial := false, false
	for {
		rec, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		seen, lastPartial = true, rec.partial
		if !rec.partial {
			t.full++
		}
	}
	if seen && !t.settled {
		t.open, t.settled = lastPartial, true
	}
	return nil
}
