package logs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Options bound one container instance's log, as the kubelet's
// containerLogMaxSize and containerLogMaxFiles do.
type Options struct {
	// MaxSize rotates the file before a record would take it past this
	// many bytes (a file holding a single bigger record is kept whole).
	// Zero never rotates.
	MaxSize int64
	// MaxFiles is how many files the instance keeps, the current one
	// included; the oldest rotated files are deleted. At least 2 when
	// MaxSize is set.
	MaxFiles int
	// Report receives failures that the copy survives and Copy cannot
	// return while it goes on: lost records, failed rotations and
	// compressions. It is called from several goroutines, possibly under
	// the Writer's lock, and must not call back into the Writer. nil
	// drops them.
	Report func(error)
}

// Writer appends CRI records to one instance's log file and rotates it. It
// is safe for concurrent use by the stdout and stderr copiers: each record
// goes out in a single write under a lock, so records never interleave.
type Writer struct {
	mu      sync.Mutex
	f       *os.File
	buf     []byte // encoding buffer, reused under mu
	path    string
	opts    Options
	size    int64  // bytes in f
	last    rotKey // newest rotated file's key
	retryAt int64  // after a failed rotation: size at which to try again
	dropped int    // records lost since writes started failing
	closed  bool   // no more rotations: they would create files
	// dir serialises deleting rotated files with publishing compressed
	// ones, so that a file pruned mid-compression does not come back.
	dir sync.Mutex
	gz  *compressor // started at the first rotation
}

// Create opens the log of instance restart of container under podDir for
// appending (an existing file is appended to, not truncated). Container
// output can hold secrets: the pod's directory and the container's are
// made 0700 and the file 0600, even when they already existed.
func Create(podDir, container string, restart int, opts Options) (*Writer, error) {
	if opts.MaxSize < 0 || opts.MaxSize > 0 && opts.MaxFiles < 2 {
		return nil, fmt.Errorf("create log: max size %d, max files %d: want a size >= 0 and, with a size, at least 2 files", opts.MaxSize, opts.MaxFiles)
	}
	path := Path(podDir, container, restart)
	if err := makeDirs(podDir, filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create log file: %w", err)
	}
	w := &Writer{f: f, path: path, opts: opts}
	if err := w.adopt(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// makeDirs creates the log root as the kubelet has it (0755) and below it
// the private pod and container directories.
func makeDirs(podDir, ctrDir string) error {
	if err := os.MkdirAll(filepath.Dir(podDir), 0o755); err != nil {
		return fmt.Errorf("create log directory: %w", err)
	}
	for _, d := range []string{podDir, ctrDir} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create log directory: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("create log directory: %w", err)
		}
	}
	return nil
}

// adopt takes over what an existing file and earlier rotations left: the
// file's size and mode, and the newest rotated name.
func (w *Writer) adopt() error {
	if err := w.f.Chmod(0o600); err != nil {
		return fmt.Errorf("create log file: %w", err)
	}
	st, err := w.f.Stat()
	if err != nil {
		return fmt.Errorf("create log file: %w", err)
	}
	w.size = st.Size()
	files, err := listRotated(w.path)
	w.last = newest(files)
	return err
}

// Copy reads r until EOF and writes its lines as records tagged with stream
// (Stdout or Stderr). If writing fails Copy keeps reading, so the container
// never blocks on a pipe nobody drains, and keeps trying to write, so
// output resumes once it can; it returns the first write error at EOF.
func (w *Writer) Copy(stream string, r io.Reader) error {
	if stream != Stdout && stream != Stderr {
		return fmt.Errorf("copy log: stream %q is neither stdout nor stderr", stream)
	}
	lines := newLineReader(r)
	var werr error
	for {
		content, partial, ok, rerr := lines.next()
		if ok {
			if err := w.write(stream, partial, content); err != nil && werr == nil {
				werr = err
			}
		}
		if rerr == io.EOF {
			return werr
		}
		if rerr != nil {
			return errors.Join(werr, fmt.Errorf("read %s: %w", stream, rerr))
		}
	}
}

// write appends one record stamped with the current time, rotating first
// if the record would take the file past MaxSize: a record never spans two
// files. The time is taken under the lock so timestamps never go backwards
// in file order.
func (w *Writer) write(stream string, partial bool, content []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	// UTC keeps files independent of the host's time zone.
	w.buf = appendRecord(w.buf[:0], time.Now().UTC(), stream, partial, content)
	if w.full(len(w.buf)) {
		w.rotate()
	}
	return w.append()
}

// full reports whether a record of n bytes must go to a new file.
func (w *Writer) full(n int) bool {
	return w.opts.MaxSize > 0 && !w.closed && w.size > 0 &&
		w.size+int64(n) > w.opts.MaxSize && w.size >= w.retryAt
}

// append writes the encoded record. A failed write is cut back off the
// file, so that no half record is left for the next one to run into, and
// reported at once: the copy goes on and Copy returns only at EOF.
func (w *Writer) append() error {
	n, err := w.f.Write(w.buf)
	if err == nil {
		w.size += int64(n)
		if w.dropped > 0 {
			w.report(fmt.Errorf("write %s: writing again after losing %d records", w.path, w.dropped))
			w.dropped = 0
		}
		return nil
	}
	if n > 0 {
		_ = w.f.Truncate(w.size)
	}
	err = fmt.Errorf("write log record: %w", err)
	if w.dropped++; w.dropped == 1 {
		w.report(fmt.Errorf("%w (records are lost until a write works again)", err))
	}
	return err
}

func (w *Writer) report(err error) {
	if w.opts.Report != nil {
		w.opts.Report(err)
	}
}

// Close closes the file and stops compressing: a compression under way is
// abandoned, leaving that file plain. Copiers still running get write
// errors, which they report when their stream ends.
func (w *Writer) Close() error {
	w.mu.Lock()
	gz := w.gz
	w.gz, w.closed = nil, true
	err := w.f.Close()
	w.mu.Unlock()
	if gz != nil {
		gz.close()
	}
	if err != nil {
		return fmt.Errorf("close log file: %w", err)
	}
	return nil
}
