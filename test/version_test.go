package test

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestVersion: `minipod version` names minipod's version and commit, the
// Go it was built with, this node's cgroup mode and its kernel.
func TestVersion(t *testing.T) {
	t.Parallel()
	out := mustMP(t, "version")
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		got[k] = v
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Go": runtime.Version(), "Kernel": unix.ByteSliceToString(u.Release[:])} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q\n%s", k, got[k], want, out)
		}
	}
	if c := got["Cgroups"]; c != "v1" && !strings.HasPrefix(c, "v2 (") {
		t.Errorf("Cgroups: %q\n%s", c, out)
	}
	if got["Version"] == "" || got["Commit"] == "" {
		t.Errorf("no version or commit:\n%s", out)
	}
}
