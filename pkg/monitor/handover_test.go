package monitor

import (
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestHandOverArgs: the hand-over message turns into the monitor's
// arguments; anything but a plain name and the one flag is refused.
func TestHandOverArgs(t *testing.T) {
	good := map[string][]string{
		"web\n":                  {"web"},
		"web\n" + NoWaitReady:    {"web", NoWaitReady},
		"a.b-c\n":                {"a.b-c"},
		"x\n" + NoWaitReady + "": {"x", NoWaitReady},
	}
	for msg, want := range good {
		got, err := handOverArgs([]byte(msg))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("handOverArgs(%q) = %q, %v; want %q", msg, got, err, want)
		}
	}
	for _, msg := range []string{"", "web", "\n", "../x\n", "a/b\n", "..\n", ".\n", "a\x00b\n", "web\n--other", "web\n" + NoWaitReady + "\n"} {
		if got, err := handOverArgs([]byte(msg)); err == nil {
			t.Errorf("handOverArgs(%q) = %q, want an error", msg, got)
		}
	}
}

// TestRetitle: the title goes over the whole argument area, NUL after it
// and none at the end (the kernel's sign to show the title alone); an
// area that is not in one piece is left alone.
func TestRetitle(t *testing.T) {
	area := []byte("/proc/self/fd/100\x00monitor\x00-          \x00")
	args := split(area)
	retitle(args, "/proc/self/fd/100 monitor web")
	want := "/proc/self/fd/100 monitor web\x00" + strings.Repeat(" ", len(area)-len("/proc/self/fd/100 monitor web")-1)
	if string(area) != want {
		t.Errorf("area = %q, want %q", area, want)
	}

	small := []byte("x\x00monitor\x00-\x00")
	before := string(small)
	retitle(split(small), "x monitor a-much-longer-name")
	if string(small) != before {
		t.Errorf("a title longer than the area was written: %q", small)
	}

	a, b := []byte("x\x00"), []byte("monitor\x00")
	retitle([]string{unsafe.String(&a[0], 1), unsafe.String(&b[0], 7)}, "y")
	if string(a) != "x\x00" || string(b) != "monitor\x00" {
		t.Errorf("an area in pieces was written: %q %q", a, b)
	}
}

// split makes strings that point into area, one per NUL-terminated
// piece, as the runtime's os.Args point into the kernel's argument area.
func split(area []byte) []string {
	var out []string
	start := 0
	for i, c := range area {
		if c == 0 {
			out = append(out, unsafe.String(&area[start], i-start))
			start = i + 1
		}
	}
	return out
}
