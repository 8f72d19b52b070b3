package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxRecordLen bounds one line of a log file: far above a record's header
// plus MaxLineSize of content. Longer lines can only be corruption and are
// skipped without being held in memory.
const maxRecordLen = 64 << 10

// recordReader yields the records of a log file that may still be growing.
// A line whose newline has not been written yet is kept until it has, so a
// follower never parses half a record.
type recordReader struct {
	br      *bufio.Reader
	pending []byte // start of a line whose newline has not been read yet
	discard bool   // skipping the rest of an over-long line
}

func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, maxRecordLen)}
}

// next returns the next record that parses; lines that don't are skipped,
// as kubelet does. io.EOF means no complete line is available yet: call
// again once the file has grown. The record is valid until the next call.
func (rr *recordReader) next() (record, error) {
	for {
		line, err := rr.line()
		if err != nil {
			return record{}, err
		}
		if rec, err := parseRecord(line); err == nil {
			return rec, nil
		}
	}
}

// line returns the next complete line without its newline.
func (rr *recordReader) line() ([]byte, error) {
	for {
		chunk, err := rr.br.ReadSlice('\n')
		switch {
		case err == nil:
			if line, ok := rr.complete(chunk); ok {
				return line, nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
			rr.keep(chunk)
		case err == io.EOF:
			rr.keep(chunk)
			return nil, io.EOF
		default:
			return nil, fmt.Errorf("read log file: %w", err)
		}
	}
}

// complete ends the current line with chunk (which holds its newline). It
// reports false when the line was over-long and has been skipped.
func (rr *recordReader) complete(chunk []byte) ([]byte, bool) {
	if rr.discard {
		rr.discard = false
		return nil, false
	}
	if len(rr.pending) == 0 {
		return chunk[:len(chunk)-1], true
	}
	line := append(rr.pending, chunk[:len(chunk)-1]...)
	rr.pending = line[:0]
	return line, true
}

// keep saves the start of a line until its newline arrives, and gives up on
// lines longer than maxRecordLen.
func (rr *recordReader) keep(chunk []byte) {
	if rr.discard {
		return
	}
	if len(rr.pending)+len(chunk) > maxRecordLen {
		rr.pending = rr.pending[:0]
		rr.discard = true
		return
	}
	rr.pending = append(rr.pending, chunk...)
}
