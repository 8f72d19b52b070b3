package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// rotate renames the current file to the next rotated name, starts a new
// one, deletes the oldest rotated files beyond MaxFiles and has the older
// ones compressed in the background. It runs under w.mu, on the copier's
// path, so it does only renames, an open and a directory listing. If it
// fails the current file stays in use: output is kept, the file grows past
// MaxSize, and the next attempt waits for another MaxSize of output rather
// than failing once per record.
func (w *Writer) rotate() {
	// Make room first, as the kubelet does: the directory never holds
	// more than MaxFiles logs, not even between the rename and the prune.
	w.prune(1)
	if err := w.renameAway(); err != nil {
		w.retryAt = w.size + w.opts.MaxSize
		w.report(err)
		return
	}
	w.retryAt = 0
	if w.gz == nil {
		w.gz = startCompressor(w.path, &w.dir, w.opts.Report)
	}
	w.gz.wake()
}

// renameAway moves the current file aside and opens a new one at w.path.
func (w *Writer) renameAway() error {
	key := w.freeKey(w.last.next(time.Now()))
	rotated := w.path + "." + key.String()
	if err := os.Rename(w.path, rotated); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		err = fmt.Errorf("rotate log: %w", err)
		// Put the file back so that readers keep finding its output
		// where they expect it; failing that, keep writing to it under
		// its rotated name, where readers find it too.
		if rerr := os.Rename(rotated, w.path); rerr != nil {
			w.last = key
			return errors.Join(err, fmt.Errorf("rename back: %w", rerr))
		}
		return err
	}
	w.f.Close()
	w.f, w.size, w.last = f, 0, key
	return nil
}

// freeKey returns key, or the first key after it whose names are unused:
// rename would replace a file left there by someone else.
func (w *Writer) freeKey(key rotKey) rotKey {
	for {
		name := w.path + "." + key.String()
		if !exists(name) && !exists(name+gzSuffix) {
			return key
		}
		key.seq++
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// prune deletes the oldest rotated files so that MaxFiles remain, the
// current one included, with room for that many more rotated files.
func (w *Writer) prune(room int) {
	w.dir.Lock()
	defer w.dir.Unlock()
	files, err := listRotated(w.path)
	if err != nil {
		w.report(err)
		return
	}
	for _, r := range files[:max(len(files)-(w.opts.MaxFiles-1-room), 0)] {
		for _, name := range []string{r.path, r.path + gzSuffix} {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				w.report(fmt.Errorf("delete old log: %w", err))
			}
		}
	}
}
