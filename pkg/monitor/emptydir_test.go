package monitor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
)

// TestMakeEmptyDirMode: a disk emptyDir gets the mode asked, special bits
// included, whatever the umask; without one, 0777 as the kubelet makes it.
func TestMakeEmptyDirMode(t *testing.T) {
	mode := func(m int32) *int32 { return &m }
	cases := []struct {
		mode *int32
		want os.FileMode
	}{
		{nil, 0o777},
		{mode(0o750), 0o750},
		{mode(0o1777), 0o777 | os.ModeSticky},
		{mode(0), 0},
	}
	for i, c := range cases {
		dir := filepath.Join(t.TempDir(), "vol")
		if err := makeEmptyDir(dir, &podspec.EmptyDirVolumeSource{Mode: c.mode}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetuid | os.ModeSetgid); got != c.want {
			t.Errorf("case %d: mode %v, want %v", i, got, c.want)
		}
	}
}
