package monitor

import (
	"bytes"
	"context"
	"io"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/logs"
	"golang.org/x/sys/unix"
)

// The kubelet's limits on a termination message: what it reads of the
// file, and of the log's end with FallbackToLogsOnError.
const (
	maxTerminationMessage = 4096
	fallbackLines         = 80
	fallbackBytes         = 2048
	// logDrainWait bounds how long the message waits for the instance's
	// last output to reach its log: a process the container left behind
	// may hold the pipe open for ever.
	logDrainWait = 250 * time.Millisecond
)

// terminationMessage is the message of an instance that ended with code:
// what it wrote to its terminationMessagePath, or, with
// FallbackToLogsOnError, a failure and an empty file, the end of its log.
func (mon *monitor) terminationMessage(c *ctr, code int) string {
	msg := readAtMost(terminationLog(c.layer), maxTerminationMessage)
	if msg != "" || code == 0 || c.spec.TerminationMessagePolicy != "FallbackToLogsOnError" {
		return msg
	}
	select {
	case <-c.logsDone:
	case <-time.After(logDrainWait):
	}
	var b bytes.Buffer
	path := logs.Path(mon.logDir, c.spec.Name, c.st.RestartCount)
	if err := logs.Read(context.Background(), path, logs.ReadOptions{Tail: fallbackLines}, &b); err != nil {
		return ""
	}
	out := b.Bytes()
	if len(out) > fallbackBytes {
		out = out[len(out)-fallbackBytes:]
	}
	return string(out)
}

// readAtMost reads up to n bytes of the file at path ("" if there is
// none): the container decides how much it writes, not how much we read.
func readAtMost(path string, n int64) string {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, n))
	return string(b)
}
