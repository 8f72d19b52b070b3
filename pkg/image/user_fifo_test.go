package image

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUserLookupRefusesFIFO: an image whose /etc/passwd is a FIFO must not
// block the lookup of a user name (and with it the pod's monitor).
func TestUserLookupRefusesFIFO(t *testing.T) {
	layer := t.TempDir()
	if err := os.MkdirAll(filepath.Join(layer, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(layer, "etc", "passwd"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := &Image{Layers: []string{layer}, RootFS: layer, Config: Config{User: "www"}}
	done := make(chan error, 1)
	go func() {
		_, _, err := img.ResolveUser()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a user was resolved from a FIFO /etc/passwd")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("resolving the user blocked on a FIFO /etc/passwd")
	}
}
