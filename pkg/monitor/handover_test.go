package monitor

import (
	"slices"
	"testing"
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
