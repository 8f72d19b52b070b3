package logs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// numbered returns lines "line-from" to "line-to", each ending in "\n".
func numbered(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "line-%d\n", i)
	}
	return b.String()
}

// copyLines writes lines from to to through w, one record each.
func copyLines(t *testing.T, w *Writer, from, to int) {
	t.Helper()
	if err := w.Copy(Stdout, strings.NewReader(numbered(from, to))); err != nil {
		t.Fatal(err)
	}
}

// files returns the content of every file of the log at path, rotated ones
// (decompressed) first, oldest first.
func files(t *testing.T, path string) []string {
	t.Helper()
	rotated, err := listRotated(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rotated {
		f, gz, err := r.open()
		if err != nil {
			t.Fatal(err)
		}
		rd, err := source{f: f, gz: gz}.reader()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		out = append(out, string(b))
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, string(cur))
}

// A file is rotated exactly when the next record would not fit: each file
// stays within MaxSize unless it holds one bigger record, the next file's
// first record would have taken it over, no record is split and nothing is
// lost.
func TestRotateBoundaries(t *testing.T) {
	long := strings.Repeat("x", 3*MaxLineSize+5)
	tests := []struct {
		name    string
		maxSize int64
		input   string
	}{
		{"short lines", 4096, numbered(1, 2000)},
		{"records bigger than the limit", 10, numbered(1, 20)},
		{"a long line's records across files", 20 << 10, numbered(1, 300) + long + "\n" + numbered(301, 600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, path := create(t, Options{MaxSize: tt.maxSize, MaxFiles: 1 << 20})
			if err := w.Copy(Stdout, strings.NewReader(tt.input)); err != nil {
				t.Fatal(err)
			}
			w.Close()
			fs := files(t, path)
			if len(fs) < 3 {
				t.Fatalf("only %d files", len(fs))
			}
			for i, f := range fs {
				recs := strings.SplitAfter(f, "\n")
				if recs[len(recs)-1] != "" {
					t.Fatalf("file %d does not end in a newline", i)
				}
				for _, r := range recs[:len(recs)-1] {
					if _, err := parseRecord([]byte(strings.TrimSuffix(r, "\n"))); err != nil {
						t.Fatalf("file %d: record %.40q: %v", i, r, err)
					}
				}
				if int64(len(f)) > tt.maxSize && len(recs) != 2 {
					t.Errorf("file %d is %d bytes, over %d, with %d records", i, len(f), tt.maxSize, len(recs)-1)
				}
				if i+1 < len(fs) {
					next, _, _ := strings.Cut(fs[i+1], "\n")
					if int64(len(f)+len(next)+1) <= tt.maxSize {
						t.Errorf("file %d (%d bytes) rotated though the next record (%d bytes) fit", i, len(f), len(next)+1)
					}
				}
			}
			if got := readAll(t, path, ReadOptions{Tail: -1}); got != tt.input {
				t.Errorf("Read returned %d bytes, want the %d input bytes back", len(got), len(tt.input))
			}
		})
	}
}

var rotatedName = regexp.MustCompile(`^0\.log\.(\d{8}-\d{6})(\.[1-9][0-9]*)?(\.gz)?$`)

// Rotated files are named <n>.log.<UTC stamp>, with .<seq> for more in the
// same second, and their name order is their write order.
func TestRotatedNames(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	w, path := create(t, Options{MaxSize: 1, MaxFiles: 1000})
	copyLines(t, w, 1, 40)
	w.Close()
	after := time.Now().UTC()

	rotated, err := listRotated(path)
	if err != nil || len(rotated) != 39 {
		t.Fatalf("%d rotated files, want 39 (%v)", len(rotated), err)
	}
	withSeq := 0
	for _, r := range rotated {
		name := filepath.Base(r.path)
		m := rotatedName.FindStringSubmatch(name)
		if m == nil {
			t.Fatalf("rotated file %q is not named 0.log.YYYYMMDD-hhmmss[.N]", name)
		}
		at, err := time.Parse(stampLayout, m[1])
		if err != nil || at.Before(before) || at.After(after) {
			t.Errorf("%s: stamp %v not between %v and %v (UTC)", name, at, before, after)
		}
		if m[2] != "" {
			withSeq++
		}
	}
	if withSeq == 0 {
		t.Error("39 rotations in well under a second, yet no name has a sequence number")
	}
	if got := readAll(t, path, ReadOptions{Tail: -1}); got != numbered(1, 40) {
		t.Errorf("rotated files out of order: %q", got)
	}
}

func TestRotKey(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(stampLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		last rotKey
		now  time.Time
		want rotKey
	}{
		{"first rotation", rotKey{}, at("20240501-100000"), rotKey{"20240501-100000", 0}},
		{"a later second", rotKey{"20240501-100000", 3}, at("20240501-100001"), rotKey{"20240501-100001", 0}},
		{"same second", rotKey{"20240501-100000", 0}, at("20240501-100000"), rotKey{"20240501-100000", 1}},
		{"same second again", rotKey{"20240501-100000", 9}, at("20240501-100000"), rotKey{"20240501-100000", 10}},
		{"clock went back", rotKey{"20240501-100000", 0}, at("20240501-090000"), rotKey{"20240501-100000", 1}},
		{"local time is not used", rotKey{}, at("20240501-100000").In(time.FixedZone("X", 3600)), rotKey{"20240501-100000", 0}},
	}
	for _, tt := range tests {
		if got := tt.last.next(tt.now); got != tt.want {
			t.Errorf("%s: next = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// listRotated orders by stamp then sequence number (.10 after .9), lists a
// key caught under both names once, and ignores what is not a rotated file
// of this instance.
func TestListRotated(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"0.log", "0.log.20240501-100000.10", "0.log.20240501-100000.9.gz", "0.log.20240501-100000",
		"0.log.20240501-095959.gz", "0.log.20240501-095959", "10.log.20240501-090000", "1.log.20240501-090000",
		"0.log.20240501-100000.gz.tmp", "0.log.bogus", "0.log.20240501-100000.01", "0.log.20240501-100000.0",
		"0.log.20241301-100000", "0.log.2024050-1000000",
	} {
		touch(t, filepath.Join(dir, name))
	}
	got, err := listRotated(filepath.Join(dir, "0.log"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		n := filepath.Base(r.path)
		if r.gz {
			n += gzSuffix
		}
		names = append(names, n)
	}
	want := "0.log.20240501-095959 0.log.20240501-100000 0.log.20240501-100000.9.gz 0.log.20240501-100000.10"
	if strings.Join(names, " ") != want {
		t.Errorf("listRotated = %v, want %s", names, want)
	}
}

// At most MaxFiles files remain, the current one included: the newest.
func TestRotateMaxFiles(t *testing.T) {
	for _, maxFiles := range []int{2, 3, 5} {
		t.Run(fmt.Sprint(maxFiles), func(t *testing.T) {
			w, path := create(t, Options{MaxSize: 1024, MaxFiles: maxFiles})
			for i := 0; i < 10; i++ {
				copyLines(t, w, i*100+1, i*100+100)
			}
			w.Close()
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != maxFiles {
				t.Errorf("%d files left, want %d: %v", len(entries), maxFiles, entries)
			}
			got := readAll(t, path, ReadOptions{Tail: -1})
			first := 0
			fmt.Sscanf(got, "line-%d\n", &first)
			if first <= 1 || got != numbered(first, 1000) {
				t.Errorf("retained lines are not the newest, in order: %.30q…", got)
			}
			if want := strings.Join(files(t, path), ""); readRecords(t, want) != got {
				t.Error("Read does not show exactly the retained files")
			}
		})
	}
}

// readRecords returns the contents of CRI records, one line each.
func readRecords(t *testing.T, data string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		rec, err := parseRecord([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(rec.content)
		b.WriteByte('\n')
	}
	return b.String()
}

// Both copiers rotate the one file: no record is lost, split or doubled.
func TestRotateConcurrentCopiers(t *testing.T) {
	w, path := create(t, Options{MaxSize: 2048, MaxFiles: 1 << 20})
	var wg sync.WaitGroup
	for _, s := range []string{Stdout, Stderr} {
		wg.Go(func() {
			if err := w.Copy(s, strings.NewReader(numbered(1, 3000))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	w.Close()
	seen := map[string]int{}
	for _, f := range files(t, path) {
		for _, r := range rawRecordsOf(t, f) {
			seen[r[1]+" "+r[3]]++
		}
	}
	for _, s := range []string{Stdout, Stderr} {
		for i := 1; i <= 3000; i++ {
			if n := seen[fmt.Sprintf("%s line-%d", s, i)]; n != 1 {
				t.Fatalf("%s line-%d is in the log %d times", s, i, n)
			}
		}
	}
}

// rawRecordsOf splits a file's content into records' four fields.
func rawRecordsOf(t *testing.T, data string) [][]string {
	t.Helper()
	var out [][]string
	for _, l := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		f := strings.SplitN(l, " ", 4)
		if len(f) != 4 {
			t.Fatalf("record %q has %d fields", l, len(f))
		}
		out = append(out, f)
	}
	return out
}
