package test

import "testing"

// TestOurs checks the leak filter itself (no root needed): a difference that
// names the pod is its own, one that names another pod is not, and one that
// names no pod counts against it.
func TestOurs(t *testing.T) {
	other := podName("ours-other")
	me := podName("ours-me")
	cases := []struct {
		entry string
		want  bool
	}{
		{"file: /run/minipod/" + me, true},
		{"file: /var/log/pods/default_" + me + "_1234-abcd", true},
		{"process: 42 /proc/self/exe monitor " + me, true},
		{"process: 43 minipod pause " + me, true},
		{"file: /run/minipod/" + other, false},
		{"process: 44 /tmp/x/minipod up -d /tmp/T/" + other + "/pod.yaml", false},
		{"mount: /var/lib/minipod/pods/" + other + "/volumes/v", false},
		{"process: 45 /proc/self/exe init", true},
		{"mount: /mnt/something", true},
		{"file: /run/minipod/" + me + "x", true}, // names neither pod exactly
	}
	for _, c := range cases {
		if got := ours(c.entry, me); got != c.want {
			t.Errorf("ours(%q, %q) = %v, want %v", c.entry, me, got, c.want)
		}
	}
}
