package state

import (
	"bytes"
	"os"
	"testing"

	"github.com/minipod/minipod/pkg/leanjson"
)

// sampleRecord is the record of a running pod of two containers, as its
// monitor wrote it.
func sampleRecord(tb testing.TB) *Pod {
	tb.Helper()
	data, err := os.ReadFile("testdata/state.json")
	if err != nil {
		tb.Fatal(err)
	}
	var p Pod
	if err := leanjson.Unmarshal(data, &p); err != nil {
		tb.Fatal(err)
	}
	return &p
}

// TestAppendEncoded: appending to a buffer that holds something writes
// what Encode returns after it, and the file as it was read.
func TestAppendEncoded(t *testing.T) {
	p := sampleRecord(t)
	want, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile("testdata/state.json")
	if !bytes.Equal(want, file) {
		t.Errorf("Encode of the decoded record differs from the record:\n%s", want)
	}
	got, err := AppendEncoded([]byte("old"), p)
	if err != nil || string(got) != "old"+string(want) {
		t.Errorf("AppendEncoded: %q (%v), want old and the record", got, err)
	}
}

// BenchmarkEncode: the monitor encodes the record after every event of
// its loop, into the buffer of the record before last.
func BenchmarkEncode(b *testing.B) {
	p := sampleRecord(b)
	b.ReportAllocs()
	var buf []byte
	var err error
	for b.Loop() {
		if buf, err = AppendEncoded(buf[:0], p); err != nil {
			b.Fatal(err)
		}
	}
}
