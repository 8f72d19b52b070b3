package ctrinit

import (
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/leanjson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// TestHandoffRoundTrip: what WriteHandoff seals, readHandoff gives back,
// filter included, and the memfd cannot be changed after the seal.
func TestHandoffRoundTrip(t *testing.T) {
	want, err := CompileFilter(defaultSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &specs.Process{Args: []string{"sh", "-c", "true"}, Cwd: "/"}
	f, err := WriteHandoff(p, want, true, true, true)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, got, err := readHandoff(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Process.Args, p.Args) || !h.Late || !h.JoinMount || !h.Filter {
		t.Errorf("handoff %+v, want the process, late, joinMount and a filter", h)
	}
	if got == nil || !slices.Equal(got.Instructions(), want.Instructions()) {
		t.Errorf("filter did not come back whole")
	}
	if _, err := f.WriteAt([]byte("x"), 9); err == nil {
		t.Errorf("the sealed handoff could be written")
	}
	if f, err := WriteHandoff(p, nil, false, false, true); err != nil {
		t.Fatal(err)
	} else if _, got, err := readHandoff(f); err != nil || got != nil {
		t.Errorf("no filter: got %v, %v", got, err)
	}
	if f, err := WriteSpawnHandoff(p, want, false); err != nil {
		t.Fatal(err)
	} else if h, got, err := readHandoff(f); err != nil || !h.Spawn || !h.JoinMount || h.JoinUser || h.Late || got == nil {
		t.Errorf("spawn: got %+v, filter %v, %v; want spawn, joinMount, no user namespace, the filter", h, got != nil, err)
	}
}

// TestHandoffRefused: a handoff whose filter went missing is an error, not
// a process without a filter, and so are one past the size limit and one
// with a length past its end.
func TestHandoffRefused(t *testing.T) {
	js, err := leanjson.Marshal(handoff{Process: &specs.Process{Args: []string{"true"}}, Filter: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"filter announced, none there": append(binary.LittleEndian.AppendUint64(nil, uint64(len(js))), js...),
		"length past the end":          append(binary.LittleEndian.AppendUint64(nil, uint64(len(js)+1)), js...),
		"too large":                    make([]byte, maxHandoff+1),
	}
	for name, data := range cases {
		fd, err := unix.MemfdCreate("test", unix.MFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), "test")
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		if _, filter, err := readHandoff(f); err == nil {
			t.Errorf("%s: read with filter %v, want an error", name, filter)
		}
		f.Close()
	}
	big := &specs.Process{Args: []string{strings.Repeat("a", maxHandoff)}}
	if _, err := WriteHandoff(big, nil, false, false, true); err == nil {
		t.Errorf("a handoff past the limit was written")
	}
}
