package lean

import (
	"debug/elf"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func statusKB(t *testing.T, key string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", key)
	return 0
}

// TestTrimText: the binary's pages resident in this process go down, and
// the process goes on running (its code faults back in).
func TestTrimText(t *testing.T) {
	if len(FindText()) == 0 {
		t.Fatal("no read-only mapping of the binary found")
	}
	before := statusKB(t, "RssFile")
	TrimText()
	after := statusKB(t, "RssFile")
	if after >= before {
		t.Errorf("RssFile %d kB before, %d kB after", before, after)
	}
	t.Logf("RssFile %d kB -> %d kB", before, after)
}

// TestNoHugePages: no mapping keeps the huge page advice.
func TestNoHugePages(t *testing.T) {
	NoHugePages()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if flags, ok := strings.CutPrefix(l, "VmFlags:"); ok && hasFlag(flags, "hg") {
			t.Errorf("a mapping still asks for huge pages: %s", l)
		}
	}
}

func TestReadOnlyMapping(t *testing.T) {
	type want struct{ exec, pie bool }
	for line, w := range map[string]want{
		"00400000-00fa8000 r-xp 00000000 fe:00 123 /usr/bin/minipod": {true, true},
		"00fa8000-01010000 r--p 00ba7000 fe:00 123 /usr/bin/minipod": {true, false}, // a PIE's RELRO
		"01010000-01020000 rw-p 00c0f000 fe:00 123 /usr/bin/minipod": {false, false},
		"00400000-00fa8000 r--p 00000000 fe:00 123 /usr/bin/other":   {false, false},
		"7f00-7f10 rw-p 00000000 00:00 0":                            {false, false},
	} {
		if _, _, ok := readOnlyMapping(line, "/usr/bin/minipod", false); ok != w.exec {
			t.Errorf("%q: %v", line, ok)
		}
		if _, _, ok := readOnlyMapping(line, "/usr/bin/minipod", true); ok != w.pie {
			t.Errorf("%q, code only: %v", line, ok)
		}
	}
}

// TestPositionIndependent: this test binary's kind is read right, and
// anything that is not a fixed-address ELF executable counts as one (the
// safe answer).
func TestPositionIndependent(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	want := f.Type != elf.ET_EXEC
	f.Close()
	if got := positionIndependent(exe); got != want {
		t.Errorf("positionIndependent(%s) = %v, its ELF type is %v", exe, got, f.Type)
	}
	if !positionIndependent("/proc/self/status") || !positionIndependent("/nonexistent") {
		t.Error("a file that is not an ELF executable counts as fixed-address")
	}
}

var sink [][]byte

// TestNoProfiling: allocations after it are no longer sampled, past the
// one sample each P had already counted down to (the default rate samples
// one every 512 KB on average: 64 MB would leave over a hundred).
func TestNoProfiling(t *testing.T) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	before := sampledBytes()
	NoProfiling()
	allocateForProfile()
	if got, most := sampledBytes()-before, runtime.GOMAXPROCS(0)*chunk; got > most {
		t.Fatalf("%d bytes sampled after NoProfiling, want at most %d", got, most)
	}
}

const chunk = 64 << 10

//go:noinline
func allocateForProfile() {
	for i := 0; i < 1024; i++ {
		sink = append(sink, make([]byte, chunk))
	}
	sink = nil
}

// sampledBytes sums the samples taken in allocateForProfile.
func sampledBytes() int {
	// A sample is published two cycles after its allocation.
	for range 3 {
		runtime.GC()
	}
	n, _ := runtime.MemProfile(nil, true)
	records := make([]runtime.MemProfileRecord, n+50)
	n, _ = runtime.MemProfile(records, true)
	sum := 0
	for _, r := range records[:n] {
		for _, pc := range r.Stack() {
			if f := runtime.FuncForPC(pc); f != nil && strings.HasSuffix(f.Name(), ".allocateForProfile") {
				sum += int(r.AllocBytes)
			}
		}
	}
	return sum
}

// TestEnviron: the setting goes first in GODEBUG, the caller's settings
// after it, the rest of the environment untouched.
func TestEnviron(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, []string{"GODEBUG=profstackdepth=0"}},
		{[]string{"A=1", "GODEBUG=madvdontneed=1", "B=2"}, []string{"A=1", "GODEBUG=profstackdepth=0,madvdontneed=1", "B=2"}},
		{[]string{"GODEBUG="}, []string{"GODEBUG=profstackdepth=0"}},
		{[]string{"GODEBUG=profstackdepth=32"}, []string{"GODEBUG=profstackdepth=0,profstackdepth=32"}},
		{[]string{"XGODEBUG=x"}, []string{"XGODEBUG=x", "GODEBUG=profstackdepth=0"}},
	} {
		if got := Environ(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Environ(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
