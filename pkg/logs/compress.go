package logs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

// compressor gzips an instance's rotated files except the newest, as the
// kubelet does, in a goroutine of its own: compressing takes far longer
// than a write, and the copier must never wait for it. Wake-ups coalesce,
// and each pass looks at the directory afresh, so a compressor that falls
// behind skips files pruned meanwhile instead of queueing work.
type compressor struct {
	path   string      // the instance's current log
	dir    *sync.Mutex // the Writer's: held while publishing a result
	report func(error)
	zw     *gzip.Writer // reused: each one allocates its tables
	kick   chan struct{}
	stop   chan struct{}
	done   chan struct{}
}

// errStopped abandons a compression when the Writer closes.
var errStopped = errors.New("log writer closed")

func startCompressor(path string, dir *sync.Mutex, report func(error)) *compressor {
	c := &compressor{path: path, dir: dir, report: report,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// wake asks for a pass without waiting for it.
func (c *compressor) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// close stops the compressor and waits until it has, so that nothing of it
// is left writing when the pod's files are removed.
func (c *compressor) close() {
	close(c.stop)
	<-c.done
}

func (c *compressor) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if err := c.pass(); err != nil && !errors.Is(err, errStopped) && c.report != nil {
			c.report(err)
		}
	}
}

// pass compresses every plain rotated file but the newest, as the kubelet
// does: the file just rotated is the one a follower most likely still has
// to finish, and a plain file is cheaper for it to recognise and read.
func (c *compressor) pass() error {
	files, err := listRotated(c.path)
	if err != nil {
		return err
	}
	var errs []error
	// Newest first: when output outpaces compression, the oldest files
	// are the next to be pruned, and compressing them would be wasted.
	for i := len(files) - 2; i >= 0; i-- {
		r := files[i]
		if r.gz {
			continue
		}
		if err := c.compress(r.path); errors.Is(err, errStopped) {
			return err
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// compress writes src+".gz" through a temporary file and removes src.
func (c *compressor) compress(src string) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // pruned since the listing
	}
	if err != nil {
		return fmt.Errorf("compress log: %w", err)
	}
	defer in.Close()
	tmp := src + gzSuffix + tmpSuffix
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("compress log: %w", err)
	}
	err = c.gzip(out, in)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("compress log: %w", cerr)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return c.publish(src, tmp)
}

// gzip copies in to out compressed, checking for a stop between chunks.
// Speed over ratio: the monitor shares the node's cores with the pods, and
// log text shrinks well even at the fastest level.
func (c *compressor) gzip(out io.Writer, in io.Reader) error {
	if c.zw == nil {
		zw, err := gzip.NewWriterLevel(out, gzip.BestSpeed)
		if err != nil {
			return fmt.Errorf("compress log: %w", err)
		}
		c.zw = zw
	}
	zw := c.zw
	zw.Reset(out)
	if _, err := io.Copy(zw, stoppable{in, c.stop}); err != nil {
		if errors.Is(err, errStopped) {
			return err
		}
		return fmt.Errorf("compress log: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress log: %w", err)
	}
	return nil
}

// publish puts the compressed file in place of src, unless src was pruned
// while it was being compressed: then the result is dropped, or it would
// bring back a file the limit has deleted.
// The .gz goes in before src goes, so that the file always has a name a
// reader can list (see listOlder).
func (c *compressor) publish(src, tmp string) error {
	c.dir.Lock()
	defer c.dir.Unlock()
	if !exists(src) {
		os.Remove(tmp)
		return nil
	}
	if err := os.Rename(tmp, src+gzSuffix); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compress log: %w", err)
	}
	if err := os.Remove(src); err != nil {
		return fmt.Errorf("compress log: %w", err)
	}
	return nil
}

// stoppable is a reader that fails with errStopped once stop is closed.
type stoppable struct {
	r    io.Reader
	stop <-chan struct{}
}

func (s stoppable) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, errStopped
	default:
		return s.r.Read(p)
	}
}
