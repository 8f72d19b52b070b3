package logs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// snapshotAttempts bounds how often snapshot starts again. An attempt
// fails only when a rotation lands in a window of a few system calls, so
// running out means the log rotates faster than it can be listed: Read
// then fails rather than show a file twice or leave one out.
const snapshotAttempts = 100

// chain is one instance's log as a reader walks it: its rotated files,
// oldest first, then the current file.
type chain struct {
	path    string
	rotated []rotatedFile // older than cur, as snapshot found them
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

// openChain opens an instance's log for reading from a snapshot of its
// files.
func openChain(path string) (*chain, error) {
	rotated, cur, err := snapshot(path)
	if err != nil {
		return nil, err
	}
	if cur == nil && len(rotated) == 0 {
		return nil, fmt.Errorf("open log: %w", &fs.PathError{Op: "open", Path: path, Err: syscall.ENOENT})
	}
	return &chain{path: path, rotated: rotated, open: make([]source, len(rotated)), cur: cur}, nil
}

// snapshot opens the current file of the log at path and lists the rotated
// files older than it, so that those, oldest first, then the current file
// to its end hold every line once and in order. The writer may rename the
// current file away at any moment, so the current file is opened first
// and held: wherever it is renamed, it is read in full through this
// descriptor, and what is left to find is which rotated files are older
// than it (listOlder). If that cannot be told, snapshot starts again. cur
// is nil when there is no current file: the writer is between a
// rotation's rename and its new file, or could not create one.
//
// No lock is shared with the writer: readers run in other processes, and
// a reader must never hold up the copier and through it the container.
func snapshot(path string) (rotated []rotatedFile, cur *os.File, err error) {
	for range snapshotAttempts {
		cur, err := openCurrent(path)
		if err != nil {
			return nil, nil, err
		}
		rotated, ok, err := listOlder(path, cur)
		if ok {
			return rotated, cur, nil
		}
		closeFile(cur)
		if err != nil {
			return nil, nil, err
		}
	}
	return nil, nil, fmt.Errorf("open log %s: rotated %d times while being opened", path, snapshotAttempts)
}

// listOlder lists the rotated files older than cur, the current file as
// snapshot opened it (nil: none). Listing a directory takes several system
// calls and is no atomic view of it: a file renamed meanwhile may be seen
// under its old name, its new one, both or neither. So it lists twice:
//
//   - Between the two, it checks that cur is still at path. If so, nothing
//     has been rotated since cur was opened, and the first listing ends
//     with the newest file older than cur: that file is never compressed
//     or pruned while it is the newest, so the listing saw it. Files after
//     it in the second listing were rotated since, and are left out. (For
//     a nil cur: there is still no file at path. A rotation could slip in
//     only if the writer created, filled and rotated a new file meanwhile
//     and was caught between a rename and a new file again.)
//   - The compressor adds a file's .gz before it removes the plain one, so
//     a file the first listing missed, compressed while it ran, has its
//     .gz in place for the whole of the second one: together they have
//     every file that existed when cur was opened.
//   - If cur was rotated before the check, it is looked for among the
//     files by identity, and it and the files after it are left out.
//
// ok is false when none of that places cur: it was rotated and its new
// name was not listed (added too late, or compressed already).
func listOlder(path string, cur *os.File) (older []rotatedFile, ok bool, err error) {
	first, err := listRotated(path)
	if err != nil {
		return nil, false, err
	}
	inPlace := atPath(path, cur)
	second, err := listRotated(path)
	if err != nil {
		return nil, false, err
	}
	files := merge(first, second)
	if inPlace {
		return files[:after(files, newest(first))], true, nil
	}
	if i, found := indexOf(files, cur); found {
		return files[:i], true, nil
	}
	return nil, false, nil
}

// openCurrent opens the current file, or returns nil if there is none.
func openCurrent(path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	return f, nil
}

// indexOf finds f among files by identity (device and inode). Only a plain
// file can be f: compressing makes a new file, so one compressed since it
// was rotated from f is not found. Normally only the newest rotated file
// or two are plain, so this takes an Lstat or two.
func indexOf(files []rotatedFile, f *os.File) (int, bool) {
	if f == nil {
		return 0, false
	}
	held, err := f.Stat()
	if err != nil {
		return 0, false
	}
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].gz {
			continue
		}
		if st, err := os.Lstat(files[i].path); err == nil && os.SameFile(st, held) {
			return i, true
		}
	}
	return 0, false
}

// atPath reports whether f is the file at path now; for a nil f, whether
// there is no file at path.
func atPath(path string, f *os.File) bool {
	now, err := os.Stat(path)
	if f == nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	if err != nil {
		return false
	}
	held, err := f.Stat()
	return err == nil && os.SameFile(now, held)
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
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
	closeFile(c.cur)
}

// printFrom prints rotated files from index from on, then the current file
// up to its end; the current file is left open for following.
func (c *chain) printFrom(p *printer, from int) error {
	if err := c.pin(from); err != nil {
		return err
	}
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

// pin opens the rotated files from index from on before any is printed,
// newest first: an open file keeps its lines when pruning deletes it.
// Pruning deletes the oldest files first, so one found missing here has
// only missing files before it, and what is printed is an unbroken run of
// lines up to the newest, not one with a file left out of its middle.
func (c *chain) pin(from int) error {
	for i := len(c.rotated) - 1; i >= from; i-- {
		if _, _, err := c.source(i); err != nil {
			return err
		}
	}
	return nil
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
