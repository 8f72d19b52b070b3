package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Rotated files sit beside the instance's log: <n>.log.<stamp>, as the
// kubelet names them, where stamp is the rotation time in UTC formatted as
// stampLayout. A second rotation within the same second (or after the clock
// went back) gets <n>.log.<stamp>.<seq>, seq counting from 1, so that names
// stay unique and sort in rotation order. Older files carry a ".gz" suffix
// once compressed.
const (
	stampLayout = "20060102-150405"
	gzSuffix    = ".gz"
	tmpSuffix   = ".tmp" // a compression in progress: never read
)

// rotKey orders rotated files: by stamp, then by seq.
type rotKey struct {
	stamp string // stampLayout, so that string order is time order
	seq   int
}

func (k rotKey) less(o rotKey) bool {
	return k.stamp < o.stamp || k.stamp == o.stamp && k.seq < o.seq
}

func (k rotKey) String() string {
	if k.seq == 0 {
		return k.stamp
	}
	return k.stamp + "." + strconv.Itoa(k.seq)
}

// next is the key for a rotation at t that sorts after k.
func (k rotKey) next(t time.Time) rotKey {
	n := rotKey{stamp: t.UTC().Format(stampLayout)}
	if k.less(n) {
		return n
	}
	return rotKey{stamp: k.stamp, seq: k.seq + 1}
}

// rotatedFile is one rotated file of an instance's log.
type rotatedFile struct {
	key  rotKey
	path string // plain name; compressed is path+gzSuffix
	gz   bool   // only the compressed file was listed
}

// open opens the file, falling back to the other of its plain and
// compressed names: it may have been compressed since it was listed.
func (r rotatedFile) open() (f *os.File, gz bool, err error) {
	names := []string{r.path, r.path + gzSuffix}
	if r.gz {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		f, err = os.Open(name)
		if err == nil {
			return f, strings.HasSuffix(name, gzSuffix), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("open rotated log: %w", err)
		}
	}
	return nil, false, fmt.Errorf("open rotated log %s: %w", r.path, fs.ErrNotExist)
}

// parseRotated reads the key of a rotated file of the log named base.
func parseRotated(base, name string) (key rotKey, gz, ok bool) {
	rest, ok := strings.CutPrefix(name, base+".")
	if !ok {
		return rotKey{}, false, false
	}
	rest, gz = strings.CutSuffix(rest, gzSuffix)
	stamp, seq, hasSeq := strings.Cut(rest, ".")
	if _, err := time.Parse(stampLayout, stamp); err != nil || len(stamp) != len(stampLayout) {
		return rotKey{}, false, false
	}
	key.stamp = stamp
	if hasSeq {
		n, err := strconv.Atoi(seq)
		if err != nil || n < 1 || strconv.Itoa(n) != seq {
			return rotKey{}, false, false
		}
		key.seq = n
	}
	return key, gz, true
}

// listRotated returns the rotated files of the log at path, oldest first.
// A file listed under both names (caught mid-compression) appears once, by
// its plain name.
func listRotated(path string) ([]rotatedFile, error) {
	dir, base := filepath.Split(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list rotated logs: %w", err)
	}
	byKey := map[rotKey]rotatedFile{}
	for _, e := range entries {
		key, gz, ok := parseRotated(base, e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if old, seen := byKey[key]; seen && !old.gz {
			continue
		}
		byKey[key] = rotatedFile{key: key, path: filepath.Join(dir, base+"."+key.String()), gz: gz}
	}
	out := make([]rotatedFile, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key.less(out[j].key) })
	return out, nil
}

// merge joins two listings, oldest first; a file in both is taken from
// b, the later one.
func merge(a, b []rotatedFile) []rotatedFile {
	out := make([]rotatedFile, 0, max(len(a), len(b)))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].key.less(b[0].key):
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].key.less(a[0].key):
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, b[0]), a[1:], b[1:]
		}
	}
	return out
}

// after returns the index of the first of files newer than k.
func after(files []rotatedFile, k rotKey) int {
	i := 0
	for i < len(files) && !k.less(files[i].key) {
		i++
	}
	return i
}

// newest is the key of the last of files, or the zero key.
func newest(files []rotatedFile) rotKey {
	if len(files) == 0 {
		return rotKey{}
	}
	return files[len(files)-1].key
}
