package services

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/minipod/minipod/pkg/state"
)

// TestFollowed: a node without Services and without rules a former one
// left has nothing to follow; the marker alone is something (the rules
// must still go).
func TestFollowed(t *testing.T) {
	dir := t.TempDir()
	r := state.Roots{Run: filepath.Join(dir, "run"), Data: filepath.Join(dir, "data"), Logs: filepath.Join(dir, "logs"), Images: filepath.Join(dir, "images")}
	for _, d := range []string{r.Run, r.Data} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if followed, err := Followed(r); err != nil || followed {
		t.Fatalf("Followed on an empty node = %v, %v; want false", followed, err)
	}
	if err := os.WriteFile(filepath.Join(r.Run, markerName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if followed, err := Followed(r); err != nil || !followed {
		t.Fatalf("Followed with the marker = %v, %v; want true", followed, err)
	}
}
