package probereq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRunnable(t *testing.T) {
	for mode, ok := range map[os.FileMode]bool{0o755: true, 0o711: true, 0o700: false, 0o750: false} {
		p := filepath.Join(t.TempDir(), Program)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		// As up holds it: an O_PATH descriptor.
		fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), p)
		err = Runnable(f)
		f.Close()
		if ok && err != nil || !ok && (err == nil || !strings.Contains(err.Error(), "may not execute it")) {
			t.Errorf("mode %#o: %v", mode, err)
		}
	}
}
