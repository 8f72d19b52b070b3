package mounts

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// TestOverlayManyLayers mounts more layers than fit in one page of mount
// options and checks that the top-most layer wins and every layer shows.
func TestOverlayManyLayers(t *testing.T) {
	testutil.RequiresRoot(t)
	dir := t.TempDir()
	var layers []string // top first, as mountOverlay takes them
	const n = 120
	for i := n - 1; i >= 0; i-- {
		l := filepath.Join(dir, "layers", "sha256", strings.Repeat(fmt.Sprintf("%02d", i), 32), "rootfs")
		if err := os.MkdirAll(l, 0o755); err != nil {
			t.Fatal(err)
		}
		must(t, os.WriteFile(filepath.Join(l, fmt.Sprintf("f%02d", i)), []byte("x"), 0o644))
		must(t, os.WriteFile(filepath.Join(l, "who"), []byte(fmt.Sprint(i)), 0o644))
		layers = append(layers, l)
	}
	if len(strings.Join(layers, ":")) < maxMountData {
		t.Fatal("test layers are too short to need the relative-path fallback")
	}
	upper, work, target := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "root")
	for _, d := range []string{upper, work, target} {
		must(t, os.Mkdir(d, 0o755))
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with its mount namespace
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			errc <- err
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			errc <- err
			return
		}
		errc <- checkOverlay(layers, upper, work, target, n)
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func checkOverlay(layers []string, upper, work, target string, n int) error {
	if err := mountOverlay(layers, upper, work, target); err != nil {
		return err
	}
	defer unix.Unmount(target, unix.MNT_DETACH)
	who, err := os.ReadFile(filepath.Join(target, "who"))
	if err != nil || string(who) != fmt.Sprint(n-1) {
		return fmt.Errorf("top layer does not win: %q, %v", who, err)
	}
	ents, err := os.ReadDir(target)
	if err != nil || len(ents) != n+1 {
		return fmt.Errorf("%d entries in the merged root, want %d (%v)", len(ents), n+1, err)
	}
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
