package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Writer appends CRI records to one file. It is safe for concurrent use by
// the stdout and stderr copiers: each record goes out in a single write
// under a lock, so records never interleave.
type Writer struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte // encoding buffer, reused under mu
}

// Create opens path for appending, creating its directories (0755) and the
// file (0640) as needed. An existing file is appended to, not truncated.
func Create(path string) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create log file: %w", err)
	}
	return &Writer{f: f}, nil
}

// Copy reads r until EOF and writes its lines as records tagged with stream
// (Stdout or Stderr). If writing fails Copy keeps reading and discarding, so
// the container never blocks on a pipe nobody drains, and reports the first
// write error at EOF.
func (w *Writer) Copy(stream string, r io.Reader) error {
	if stream != Stdout && stream != Stderr {
		return fmt.Errorf("copy log: stream %q is neither stdout nor stderr", stream)
	}
	br := bufio.NewReaderSize(r, MaxLineSize)
	var werr error
	for {
		content, partial, ok, rerr := nextContent(br)
		if ok && werr == nil {
			werr = w.write(stream, partial, content)
		}
		if rerr == io.EOF {
			return werr
		}
		if rerr != nil {
			return errors.Join(werr, fmt.Errorf("read %s: %w", stream, rerr))
		}
	}
}

// nextContent reads the content of the next record: a line without its
// newline (full), or MaxLineSize bytes of a longer line (partial). Bytes left
// without a newline when reading stops form a full record, as containerd
// does at EOF. ok is false when there was nothing to read. A line of exactly
// MaxLineSize bytes comes out as a partial record and an empty full one;
// readers join them back to the same line.
func nextContent(br *bufio.Reader) (content []byte, partial, ok bool, err error) {
	line, err := br.ReadSlice('\n')
	switch {
	case err == nil:
		return line[:len(line)-1], false, true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return line, true, true, nil
	default:
		return line, false, len(line) > 0, err
	}
}

// write appends one record stamped with the current time. The time is taken
// under the lock so timestamps never go backwards in file order.
func (w *Writer) write(stream string, partial bool, content []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	// UTC keeps files independent of the host's time zone.
	w.buf = appendRecord(w.buf[:0], time.Now().UTC(), stream, partial, content)
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("write log record: %w", err)
	}
	return nil
}

// Close closes the file. Copiers still running get write errors, which they
// report when their stream ends.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("close log file: %w", err)
	}
	return nil
}
