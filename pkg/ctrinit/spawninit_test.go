package ctrinit

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSpawnFailure: the errno the spawn role puts ahead of its message
// for a failed exec comes back as that errno; anything else as its text.
func TestSpawnFailure(t *testing.T) {
	if err := SpawnFailure(append([]byte{byte(unix.ENOENT)}, spawnExecFailed...)); !errors.Is(err, unix.ENOENT) {
		t.Errorf("a failed exec: got %v, want ENOENT", err)
	}
	for _, rest := range []string{"spawn: fork the command failed", "\x00" + spawnExecFailed, "x"} {
		if err := SpawnFailure([]byte(rest)); err == nil || err.Error() != rest {
			t.Errorf("report %q: got %v, want it as the message", rest, err)
		}
	}
}
