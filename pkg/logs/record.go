package logs

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Stream names as they appear in a record.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// MaxLineSize is the most content one record carries; longer lines are split
// into partial records. 16 KiB is containerd's default
// (max_container_log_line_size).
const MaxLineSize = 16 << 10

// Tags of a record: partial (more of the same line follows) or full.
const (
	tagPartial = 'P'
	tagFull    = 'F'
)

// record is one parsed line of a log file. content aliases the line it was
// parsed from.
type record struct {
	time    time.Time
	partial bool
	content []byte
}

var errMalformed = errors.New("malformed log record")

// appendRecord appends the encoded record, newline included, to buf.
func appendRecord(buf []byte, t time.Time, stream string, partial bool, content []byte) []byte {
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, ' ')
	buf = append(buf, stream...)
	buf = append(buf, ' ')
	if partial {
		buf = append(buf, tagPartial)
	} else {
		buf = append(buf, tagFull)
	}
	buf = append(buf, ' ')
	buf = append(buf, content...)
	return append(buf, '\n')
}

// parseRecord decodes one line (without its newline). Like kubelet it accepts
// extra tags after the first, separated by ':'.
func parseRecord(line []byte) (record, error) {
	stamp, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return record{}, fmt.Errorf("%w: no timestamp", errMalformed)
	}
	t, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		return record{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	stream, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok || (string(stream) != Stdout && string(stream) != Stderr) {
		return record{}, fmt.Errorf("%w: bad stream %q", errMalformed, stream)
	}
	tags, content, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		return record{}, fmt.Errorf("%w: no tag", errMalformed)
	}
	tag, _, _ := bytes.Cut(tags, []byte{':'})
	if len(tag) != 1 || (tag[0] != tagPartial && tag[0] != tagFull) {
		return record{}, fmt.Errorf("%w: bad tag %q", errMalformed, tags)
	}
	return record{time: t, partial: tag[0] == tagPartial, content: content}, nil
}
