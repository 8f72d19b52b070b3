package logs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// snapshotAttempts bounds how often openChain retries when a rotation
// races with it; past that it goes on with what it has, which at worst
// shows one file twice.
const snapshotAttempts = 5

// chain is one instance's log as a reader walks it: its rotated files,
// oldest first, then the current file.
type chain struct {
	path    string
	rotated []rotatedFile // as listed when the chain was opened
	open    []source      // rotated files opened so far, by index
	last    rotKey        // newest rotated file read or passed over
	cur     *os.File      // the current file; nil while there is none
	rr      *recordReader // reads cur
}

// source is one file of the chain, opened.
type source struct {
	f  *os.File
	gz bool
}

// openChain opens the current file and lists the rotated ones so that they
// fit together: a rotation between the two would leave out the file it
// renamed, so the listing must not change across the open.
func openChain(path string) (*chain, error) {
	for attempt := 1; ; attempt++ {
		before, err := listRotated(path)
		if err != nil {
			return nil, err
		}
		cur, openErr := os.Open(path)
		if openErr != nil && !errors.Is(openErr, fs.ErrNotExist) {
			return nil, fmt.Errorf("open log: %w", openErr)
		}
		after, err := listRotated(path)
		switch {
		case err != nil:
		case cur == nil && len(after) == 0:
			return nil, fmt.Errorf("open log: %w", openErr)
		case newest(after) == newest(before) || attempt == snapshotAttempts:
			return &chain{path: path, rotated: after, open: make([]source, len(after)), cur: cur}, nil
		}
		if cur != nil {
			cur.Close()
		}
		if err != nil {
			return nil, err
		}
	}
}

// source opens rotated file i, or returns it if open already. ok is false
// when it has been deleted since the listing: its lines are gone.
func (c *chain) source(i int) (s source, ok bool, err error) {
	if c.open[i].f != nil {
		return c.open[i], true, nil
	}
	f, gz, err := c.rotated[i].open()
	if errors.Is(err, fs.ErrNotExist) {
		return source{}, false, nil
	}
	if err != nil {
		return source{}, false, err
	}
	c.open[i] = source{f: f, gz: gz}
	return c.open[i], true, nil
}

// reader reads the file from its start.
func (s source) reader() (io.Reader, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind log: %w", err)
	}
	if !s.gz {
		return s.f, nil
	}
	zr, err := gzip.NewReader(s.f)
	if err != nil {
		return nil, fmt.Errorf("read compressed log %s: %w", s.f.Name(), err)
	}
	return zr, nil
}

func (c *chain) close() {
	for _, s := range c.open {
		if s.f != nil {
			s.f.Close()
		}
	}
	if c.cur != nil {
		c.cur.Close()
	}
}

// printFrom prints rotated files from index from on, then the current file
// up to its end; the current file is left open for following.
func (c *chain) printFrom(p *printer, from int) error {
	for i := from; i < len(c.rotated); i++ {
		if err := c.printRotated(p, i); err != nil {
			return err
		}
	}
	c.last = newest(c.rotated)
	if c.cur == nil {
		return nil
	}
	if _, err := c.cur.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind log: %w", err)
	}
	c.rr = newRecordReader(c.cur)
	return drain(c.rr, p)
}

// printRotated prints rotated file i whole and closes it.
func (c *chain) printRotated(p *printer, i int) error {
	s, ok, err := c.source(i)
	if !ok {
		return err
	}
	defer func() { s.f.Close(); c.open[i] = source{} }()
	r, err := s.reader()
	if err != nil {
		return err
	}
	return drain(newRecordReader(r), p)
}
