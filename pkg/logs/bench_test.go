package logs

import (
	"bytes"
	"strings"
	"testing"
)

// BenchmarkCopy measures the copier's path, with and without rotation
// (compression runs beside it).
func BenchmarkCopy(b *testing.B) {
	input := []byte(strings.Repeat(strings.Repeat("x", 99)+"\n", 10000))
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"unbounded", Options{}},
		{"rotating 1Mi x 5", Options{MaxSize: 1 << 20, MaxFiles: 5}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w, err := Create(b.TempDir(), "c", 0, tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.SetBytes(int64(len(input)))
			for b.Loop() {
				if err := w.Copy(Stdout, bytes.NewReader(input)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
