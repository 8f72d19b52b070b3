package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserLookupStaysInLayer: the image's /etc/passwd is read inside its
// layer, whatever symlinks it is made of: one pointing at a host file (by
// absolute path, or climbing out with ..) reads the layer's own tree, and
// one inside the layer is followed.
func TestUserLookupStaysInLayer(t *testing.T) {
	host := t.TempDir()
	hostPasswd := filepath.Join(host, "passwd")
	if err := os.WriteFile(hostPasswd, []byte("evil:x:4242:4242::/:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	climb := strings.Repeat("../", 40) + strings.TrimPrefix(hostPasswd, "/")
	for name, target := range map[string]string{"absolute": hostPasswd, "climbing": climb} {
		layer := t.TempDir()
		if err := os.MkdirAll(filepath.Join(layer, "etc"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(layer, "etc", "passwd")); err != nil {
			t.Fatal(err)
		}
		img := &Image{Layers: []string{layer}, RootFS: layer, Config: Config{User: "evil"}}
		if uid, _, err := img.ResolveUser(); err == nil {
			t.Errorf("%s symlink: user resolved from the host's file (uid %d)", name, uid)
		}
		// The host's own /etc/passwd has root; the layer has no passwd.
		if uid, _, err := img.ResolveUserSpec("root"); err == nil {
			t.Errorf("%s symlink: root resolved (uid %d) from outside the layer", name, uid)
		}
	}
	layer := t.TempDir()
	if err := os.MkdirAll(filepath.Join(layer, "etc", "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layer, "etc", "real", "passwd"), []byte("app:x:1000:1001::/:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/real/passwd", filepath.Join(layer, "etc", "passwd")); err != nil {
		t.Fatal(err)
	}
	img := &Image{Layers: []string{layer}, RootFS: layer, Config: Config{User: "app"}}
	if uid, gid, err := img.ResolveUser(); err != nil || uid != 1000 || gid != 1001 {
		t.Errorf("symlink inside the layer: %d:%d %v, want 1000:1001", uid, gid, err)
	}
}

// TestUserLookupRetriesRacingRenames: the kernel refuses a ".." inside
// the root with EAGAIN while any rename on the host races the lookup;
// the lookup tries again rather than fall through to a lower layer's
// /etc/passwd (which here would make the user root).
func TestUserLookupRetriesRacingRenames(t *testing.T) {
	lower, upper, busy := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(lower, "etc", "passwd"), "app:x:0:0::/:/bin/sh\n")
	write(filepath.Join(upper, "usr", "share", "passwd"), "app:x:1000:1000::/:/bin/sh\n")
	if err := os.MkdirAll(filepath.Join(upper, "usr", "share", "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(upper, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../usr/share/a/b/../../passwd", filepath.Join(upper, "etc", "passwd")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		a, b := filepath.Join(busy, "a"), filepath.Join(busy, "b")
		write(a, "")
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Rename(a, b)
			a, b = b, a
		}
	}()
	defer func() { close(stop); <-done }()
	img := &Image{Layers: []string{lower, upper}, RootFS: upper, Config: Config{User: "app"}}
	for i := 0; i < 5000; i++ {
		if uid, _, err := img.ResolveUser(); err != nil || uid != 1000 {
			t.Fatalf("lookup %d: uid %d (%v), want 1000 from the upper layer", i, uid, err)
		}
	}
}
