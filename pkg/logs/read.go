package logs

import (
	"context"
	"io"
)

// ReadOptions select what Read prints, like kubectl logs' flags.
type ReadOptions struct {
	// Tail is how many logical lines to print from the end (a P…F group is
	// one line); -1 (any negative) prints all. With Follow, new lines are
	// printed after the tail.
	Tail int
	// Timestamps prefixes each line with its RFC3339Nano timestamp and a
	// space, as kubectl --timestamps does.
	Timestamps bool
	// Follow keeps printing lines as they are appended, across rotations.
	Follow bool
	// Done reports whether the writer has finished for good (the container
	// exited). Following stops once the file is drained and Done() is true.
	// It is called after each wake-up; nil means follow until ctx ends.
	Done func() bool
}

// Read writes the content of one instance's log to out: its rotated files
// (plain or compressed), oldest first, then the current file at path. Both
// streams come in file order, partial records joined to their line (also
// across files), each line ending in "\n". Lines that don't parse are
// skipped. When following, it returns ctx.Err() if ctx ends first.
func Read(ctx context.Context, path string, opts ReadOptions, out io.Writer) error {
	c, err := openChain(path)
	if err != nil {
		return err
	}
	defer c.close()
	from, skip, err := c.tailStart(opts.Tail)
	if err != nil {
		return err
	}
	p := newPrinter(out, opts.Timestamps, skip)
	if err := c.printFrom(p, from); err != nil {
		return err
	}
	if !opts.Follow {
		return nil
	}
	return follow(ctx, c, p, opts.Done)
}

// drain prints every complete record available now and flushes, so a
// follower's reader sees them before Read waits again.
func drain(rr *recordReader, p *printer) error {
	for {
		rec, err := rr.next()
		if err == io.EOF {
			return p.flush()
		}
		if err != nil {
			return err
		}
		if err := p.print(rec); err != nil {
			return err
		}
	}
}
