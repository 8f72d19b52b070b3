package ctrinit

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// gatePipe is a pipe whose read end AwaitGate takes over (and closes).
func gatePipe(t *testing.T) (fd string, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// AwaitGate owns and closes the descriptor: a copy nothing else closes.
	n, err := unix.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(n), w
}

func TestAwaitGate(t *testing.T) {
	fd, w := gatePipe(t)
	if _, err := w.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := AwaitGate(fd); err != nil {
		t.Errorf("gate with its byte: %v", err)
	}

	fd, w = gatePipe(t)
	w.Close()
	if err := AwaitGate(fd); err == nil {
		t.Error("gate closed without its byte let init go on")
	}

	for _, bad := range []string{"", "x", "-1", "3"} {
		if err := AwaitGate(bad); err == nil {
			t.Errorf("gate descriptor %q accepted", bad)
		}
	}
}
