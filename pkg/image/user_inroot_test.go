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
		if g := img.UserGroups(4242); g != nil {
			t.Errorf("%s symlink: groups %v from the host's files", name, g)
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
