package selfexe

import "testing"

func TestFitsBelow(t *testing.T) {
	for _, tc := range []struct {
		exe   string
		files int
		ok    bool
	}{
		{"/proc/self/fd/6", 6, true}, // init: stdio, status, console, gate
		{"/proc/self/fd/6", 7, false},
		{"/proc/self/fd/5", 5, true}, // pause
		{"/proc/self/fd/5", 6, false},
		{"/proc/self/exe", 50, true},
		{"/usr/local/bin/minipod-init", 50, true},
	} {
		if err := FitsBelow(tc.exe, tc.files); (err == nil) != tc.ok {
			t.Errorf("FitsBelow(%q, %d) = %v, want ok=%v", tc.exe, tc.files, err, tc.ok)
		}
	}
}
