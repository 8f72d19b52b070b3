package logs

import (
	"context"
	"time"
)

// wakeInterval bounds how long a follower sleeps without looking at Done():
// a writer can finish without a last write, and inotify then says nothing.
const wakeInterval = 250 * time.Millisecond

// follow prints records as they are appended until done() reports the writer
// finished and the file is drained, or ctx ends.
func follow(ctx context.Context, path string, rr *recordReader, p *printer, done func() bool) error {
	changed, stop := watch(path)
	defer stop()
	tick := time.NewTicker(wakeInterval)
	defer tick.Stop()
	for {
		// Ask before draining: whatever was written before the writer
		// finished is then on disk and gets printed by this drain.
		finished := done != nil && done()
		if err := drain(rr, p); err != nil {
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
