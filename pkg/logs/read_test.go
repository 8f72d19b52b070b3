package logs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tailFixture has three logical lines; the middle one spans P records.
func tailFixture(t *testing.T) (path, long string) {
	long = strings.Repeat("x", 2*MaxLineSize+3)
	return writeLog(t,
		[2]string{Stdout, "one\n"},
		[2]string{Stderr, long + "\n"},
		[2]string{Stdout, "three\n"},
	), long
}

func TestTail(t *testing.T) {
	path, long := tailFixture(t)
	all := "one\n" + long + "\nthree\n"
	tests := []struct {
		tail int
		want string
	}{
		{-1, all},
		{0, ""},
		{1, "three\n"},
		{2, long + "\nthree\n"},
		{3, all},
		{10, all},
	}
	for _, tt := range tests {
		got := readAll(t, path, ReadOptions{Tail: tt.tail})
		if got != tt.want {
			t.Errorf("tail %d: got %d bytes %.30q…, want %d bytes", tt.tail, len(got), got, len(tt.want))
		}
	}
}

func TestTimestamps(t *testing.T) {
	path, long := tailFixture(t)
	recs := rawRecords(t, path)
	got := readAll(t, path, ReadOptions{Tail: -1, Timestamps: true})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := []string{"one", long, "three"}
	// The long line carries the timestamp of its first record only.
	firstRecord := []int{0, 1, len(recs) - 1}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(lines), len(want))
	}
	for i, line := range lines {
		stamp, content, _ := strings.Cut(line, " ")
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			t.Errorf("line %d: timestamp %q: %v", i, stamp, err)
		}
		fileTS, _ := time.Parse(time.RFC3339Nano, recs[firstRecord[i]][0])
		if !ts.Equal(fileTS) {
			t.Errorf("line %d: timestamp %v, want that of its first record %v", i, ts, fileTS)
		}
		if content != want[i] {
			t.Errorf("line %d: content %.30q…, want %.30q…", i, content, want[i])
		}
	}
}

func TestCorruptLinesSkipped(t *testing.T) {
	const ts = "2024-05-01T10:00:00.123456789Z"
	lines := []string{
		ts + " stdout F good one",
		"garbage",
		"not-a-time stdout F bad time",
		ts + " stdin F bad stream",
		ts + " stdout X bad tag",
		ts + " stdout F",
		ts + " stdout",
		strings.Repeat("z", 3*maxRecordLen),
		"",
		ts + " stderr P good ",
		ts + " stderr F:extra two",
		"2024-05-01T12:00:00+02:00 stdout F offset time",
	}
	path := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	want := "good one\ngood two\noffset time\n"
	if got := readAll(t, path, ReadOptions{Tail: -1}); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := readAll(t, path, ReadOptions{Tail: 2}); got != "good two\noffset time\n" {
		t.Errorf("tail 2: got %q", got)
	}
	got := readAll(t, path, ReadOptions{Tail: 1, Timestamps: true})
	if want := "2024-05-01T12:00:00+02:00 offset time\n"; got != want {
		t.Errorf("timestamps: got %q, want %q", got, want)
	}
}

func TestReadMissingFile(t *testing.T) {
	err := Read(t.Context(), filepath.Join(t.TempDir(), "nope.log"), ReadOptions{Tail: -1}, &syncBuffer{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing file: %v", err)
	}
}
