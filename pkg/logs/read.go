package logs

import (
	"context"
	"fmt"
	"io"
	"os"
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
	// Follow keeps printing lines as they are appended.
	Follow bool
	// Done reports whether the writer has finished for good (the container
	// exited). Following stops once the file is drained and Done() is true.
	// It is called after each wake-up; nil means follow until ctx ends.
	Done func() bool
}

// Read writes the content of the log file at path to out: both streams in
// file order, partial records joined to their line, each line ending in
// "\n". Lines that don't parse are skipped. When following, it returns
// ctx.Err() if ctx ends first.
func Read(ctx context.Context, path string, opts ReadOptions, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()

	skip, err := tailSkip(f, opts.Tail)
	if err != nil {
		return err
	}
	rr := newRecordReader(f)
	p := newPrinter(out, opts.Timestamps, skip)
	if !opts.Follow {
		return drain(rr, p)
	}
	return follow(ctx, path, rr, p, opts.Done)
}

// tailSkip counts the logical lines in f and returns how many to leave out
// so that tail remain, rewinding f for the printing pass. Two passes keep
// memory flat however long the tail is; lines appended between the passes
// are simply printed after the tail.
func tailSkip(f *os.File, tail int) (int, error) {
	if tail < 0 {
		return 0, nil
	}
	n, err := countLines(f)
	if err != nil {
		return 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("rewind log: %w", err)
	}
	return max(n-tail, 0), nil
}

// countLines counts logical lines: a run of partial records and the record
// ending it is one line; an unfinished run at the end counts too, as the
// printer shows it.
func countLines(r io.Reader) (int, error) {
	rr := newRecordReader(r)
	n, midLine := 0, false
	for {
		rec, err := rr.next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if !midLine {
			n++
		}
		midLine = rec.partial
	}
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
