package image

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
)

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportDirImage turns a directory image (the layout of
// scripts/build-images.sh) into an OCI image, then checks Lookup order,
// user resolution, determinism, Remove and Prune.
func TestImportDirImage(t *testing.T) {
	testutil.RequiresRoot(t)
	root := t.TempDir()
	tag := filepath.Join(root, "web", "latest")
	write(t, filepath.Join(tag, "config.json"), `{"User":"www","Cmd":["httpd"],"WorkingDir":"/srv"}`)
	write(t, filepath.Join(tag, "rootfs/etc/passwd"), "root:x:0:0::/:/bin/sh\nwww:x:33:33::/srv:/bin/sh\n")
	write(t, filepath.Join(tag, "rootfs/etc/group"), "root:x:0:\nwww:x:33:\nstaff:x:50:www\n")
	write(t, filepath.Join(tag, "rootfs/srv/index.html"), "hi")
	if err := os.Link(filepath.Join(tag, "rootfs/srv/index.html"), filepath.Join(tag, "rootfs/srv/copy.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/srv", filepath.Join(tag, "rootfs/www")); err != nil {
		t.Fatal(err)
	}

	dirImg, err := Lookup(root, "web")
	if err != nil || dirImg.ID != "dir:"+tag {
		t.Fatalf("directory image: %+v, %v", dirImg, err)
	}
	img, err := ImportDir(root, tag, "localhost:5000/web:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 1 || img.Config.User != "www" || !slices.Equal(img.Config.Cmd, []string{"httpd"}) {
		t.Errorf("imported = %+v", img)
	}
	if data, err := os.ReadFile(filepath.Join(img.RootFS, "srv/copy.html")); err != nil || string(data) != "hi" {
		t.Errorf("srv/copy.html = %q, %v", data, err)
	}
	if uid, gid, err := img.ResolveUser(); err != nil || uid != 33 || gid != 33 {
		t.Errorf("ResolveUser = %d:%d, %v", uid, gid, err)
	}
	for spec, want := range map[string][2]uint32{"": {0, 0}, "0": {0, 0}, "33": {33, 33}, "1234": {1234, 0}, "www:staff": {33, 50}, "7:8": {7, 8}, "www:9": {33, 9}} {
		uid, gid, err := img.ResolveUserSpec(spec)
		if err != nil || uid != want[0] || gid != want[1] {
			t.Errorf("ResolveUserSpec(%q) = %d:%d, %v; want %v", spec, uid, gid, err, want)
		}
	}
	for _, bad := range []string{"nobody", "www:nogroup", ":1"} {
		if _, _, err := img.ResolveUserSpec(bad); err == nil {
			t.Errorf("ResolveUserSpec(%q) accepted", bad)
		}
	}

	// Importing the same tree again gives the same image; under the
	// Docker Hub name the OCI image wins over the directory image.
	again, err := ImportDir(root, tag, "web:latest")
	if err != nil || again.Digest != img.Digest {
		t.Fatalf("re-import = %v, %v; want digest %s", again, err, img.Digest)
	}
	if got, _ := Lookup(root, "web"); got.ID != img.ID {
		t.Errorf("Lookup(web) = %s, want the OCI image %s", got.ID, img.ID)
	}
	if got := List(root); !slices.Equal(got, []string{"localhost:5000/web:1", "web:latest"}) {
		t.Errorf("List = %v", got)
	}
	sums := Summaries(root)
	if len(sums) != 3 || sums[2].Digest != "" || sums[2].ID != "dir:"+tag || sums[0].Size == 0 {
		t.Errorf("Summaries = %+v", sums)
	}

	// Removing the OCI web:latest uncovers the directory image again.
	s := NewStore(root)
	if _, err := Remove(root, "web", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := Lookup(root, "web"); got == nil || got.ID != "dir:"+tag {
		t.Errorf("after rmi, Lookup(web) = %+v", got)
	}
	if rep, err := s.Prune(nil); err != nil || rep.Blobs != 0 {
		t.Errorf("prune while localhost:5000/web:1 remains = %+v, %v", rep, err)
	}
	if _, err := Remove(root, "localhost:5000/web:1", nil); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Prune(nil); err != nil || rep.Blobs != 3 || rep.Layers != 1 {
		t.Errorf("prune = %+v, %v; want 3 blobs and 1 layer", rep, err)
	}
	// And the directory image itself.
	if _, err := Remove(root, "web", func(id string) (string, bool) { return "p", id == "dir:"+tag }); err == nil {
		t.Errorf("a directory image in use was removed")
	}
	if _, err := Remove(root, "web", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup(root, "web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup after removing the directory image: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "web")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty repository directory left: %v", err)
	}
}

func TestUserGroupsFromImage(t *testing.T) {
	layer := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(layer, "etc"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(layer, "etc", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("passwd", "root:x:0:0::/root:/bin/sh\nuser-defined-in-image:x:1000:1000::/home:/bin/sh\n")
	write("group", "root:x:0:\nuser:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\nother:x:60000:root,user-defined-in-image\n")
	img := &Image{Layers: []string{layer}, RootFS: layer}
	if got := img.UserGroups(1000); !slices.Equal(got, []uint32{50000, 60000}) {
		t.Errorf("UserGroups(1000) = %v", got)
	}
	if got := img.UserGroups(4242); got != nil {
		t.Errorf("UserGroups of an unknown uid = %v", got)
	}
	if g := img.PrimaryGroup(1000); g != 1000 {
		t.Errorf("PrimaryGroup(1000) = %d", g)
	}
	if g := img.PrimaryGroup(4242); g != 0 {
		t.Errorf("PrimaryGroup of an unknown uid = %d", g)
	}
}

// TestPruneKeepsInUse: an image a pod runs from stays through prune once
// its tag names another image; a pod's image the store cannot read stops
// prune, naming the pod.
func TestPruneKeepsInUse(t *testing.T) {
	testutil.RequiresRoot(t)
	root := t.TempDir()
	for _, v := range []string{"one", "two"} {
		write(t, filepath.Join(root, "src", v, "config.json"), `{}`)
		write(t, filepath.Join(root, "src", v, "rootfs/f"), v)
	}
	first, err := ImportDir(root, filepath.Join(root, "src", "one"), "app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportDir(root, filepath.Join(root, "src", "two"), "app:v1"); err != nil {
		t.Fatal(err)
	}
	s := NewStore(root)
	uses := []InUse{{Pod: "p", Manifest: first.Digest}}
	if rep, err := s.Prune(func() []InUse { return uses }); err != nil || rep.Layers != 0 {
		t.Errorf("prune with the first image in use = %+v, %v; want nothing removed", rep, err)
	}
	if _, err := os.Stat(first.Layers[0]); err != nil {
		t.Errorf("the first image's layer is gone: %v", err)
	}
	uses = []InUse{{Pod: "q", Manifest: "sha256:" + strings.Repeat("0", 64)}}
	if _, err := s.Prune(func() []InUse { return uses }); err == nil || !strings.Contains(err.Error(), "pod q") {
		t.Errorf("prune with an unreadable image in use: %v, want an error naming pod q", err)
	}
	if rep, err := s.Prune(nil); err != nil || rep.Layers != 1 {
		t.Errorf("prune with nothing in use = %+v, %v; want the first image's layer removed", rep, err)
	}
}
