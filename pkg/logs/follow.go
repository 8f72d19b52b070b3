package logs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"
)

// wakeInterval bounds how long a follower sleeps without looking at Done():
// a writer can finish without a last write, and inotify then says nothing.
const wakeInterval = 250 * time.Millisecond

// follow prints records as they are appended, across rotations, until
// done() reports the writer finished and the log is drained, or ctx ends.
func follow(ctx context.Context, c *chain, p *printer, done func() bool) error {
	changed, stop := watch(c.path)
	defer stop()
	tick := time.NewTicker(wakeInterval)
	defer tick.Stop()
	for {
		// Ask before draining: whatever was written before the writer
		// finished is then on disk and gets printed by this drain.
		finished := done != nil && done()
		if err := c.catchUp(p); err != nil {
			return err
		}
		if finished {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-tick.C:
		}
	}
}

// catchUp prints what the current file has gained and, once it has been
// rotated away, the rest of it and the files that came after it.
func (c *chain) catchUp(p *printer) error {
	for {
		// Look before draining: the writer renames a file only after its
		// last write, so a file seen renamed is drained to its very end.
		moved := c.movedAway()
		if c.rr != nil {
			if err := drain(c.rr, p); err != nil {
				return err
			}
		}
		if !moved {
			return nil
		}
		if ok, err := c.advance(p); err != nil || !ok {
			return err
		}
	}
}

// movedAway reports whether the file at c.path is no longer c.cur: it was
// rotated away (or there was none).
func (c *chain) movedAway() bool {
	return c.cur == nil || !atPath(c.path, c.cur)
}

// advance leaves the current file, read to its end and rotated away: from
// a new snapshot it prints the rotated files newer than it, then takes the
// new current file. A follower that fell behind may find several; those
// already deleted are lost to it. ok is false when no current file exists
// yet.
func (c *chain) advance(p *printer) (ok bool, err error) {
	prev := c.cur
	c.cur, c.rr = nil, nil
	if prev != nil {
		defer prev.Close()
	}
	rotated, cur, err := snapshot(c.path)
	if err != nil {
		return false, err
	}
	files := rotated[after(rotated, c.last):]
	// The oldest of them is normally prev itself, already printed.
	if prev != nil && len(files) > 0 && sameLog(prev, files[0]) {
		c.last, files = files[0].key, files[1:]
	}
	if err := c.printNewer(p, files); err != nil {
		closeFile(cur)
		return false, err
	}
	if cur == nil {
		return false, nil // between a rename and the new file: wait
	}
	c.cur, c.rr = cur, newRecordReader(cur)
	return true, nil
}

// printNewer prints rotated files whole, in order, moving c.last past each.
func (c *chain) printNewer(p *printer, files []rotatedFile) error {
	for _, r := range files {
		f, gz, err := r.open()
		if errors.Is(err, fs.ErrNotExist) {
			c.last = r.key
			continue
		}
		if err != nil {
			return err
		}
		rd, err := source{f: f, gz: gz}.reader()
		if err == nil {
			err = drain(newRecordReader(rd), p)
		}
		f.Close()
		if err != nil {
			return err
		}
		c.last = r.key
	}
	return nil
}

// sameLog reports whether rotated file r is f under its rotated name,
// possibly compressed since: both begin with the same record, and a record
// carries a nanosecond timestamp no other file's first record shares.
func sameLog(f *os.File, r rotatedFile) bool {
	rf, gz, err := r.open()
	if err != nil {
		return false
	}
	defer rf.Close()
	rd, err := source{f: rf, gz: gz}.reader()
	if err != nil {
		return false
	}
	a, err := firstLine(io.NewSectionReader(f, 0, maxRecordLen))
	if err != nil {
		return false
	}
	b, err := firstLine(rd)
	return err == nil && string(a) == string(b)
}

// firstLine returns the first complete line of r.
func firstLine(r io.Reader) ([]byte, error) {
	return newRecordReader(r).line()
}
