package pull

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/minipod/minipod/pkg/image"
)

func TestLoadDockerArchive(t *testing.T) {
	s := newStore(t)
	src := testImage(t)
	file := filepath.Join(t.TempDir(), "img.tar")
	tag, _ := name.NewTag("example.com/team/app:1.0")
	must(t, tarball.WriteToFile(file, tag, src))
	refs, err := Load(context.Background(), s, file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refs, []string{"example.com/team/app:1.0"}) {
		t.Errorf("loaded %v", refs)
	}
	img, err := image.Lookup(s.Root, "example.com/team/app:1.0")
	if err != nil {
		t.Fatal(err)
	}
	wantID, _ := src.ConfigName()
	if img.ID != wantID.String() || len(img.Layers) != 3 || img.Config.User != "app:grp" {
		t.Errorf("image = %+v, want ID %s and 3 layers", img, wantID)
	}
	checkOverlay(t, img.Layers)
	// Layers are stored uncompressed: a later pull of the same image
	// shares the unpacked layers (same diffIDs).
	cf, _ := src.ConfigFile()
	for i, d := range cf.RootFS.DiffIDs {
		if dir, _ := s.LayerDir(d.String()); img.Layers[i] != filepath.Join(dir, "rootfs") {
			t.Errorf("layer %d at %s", i, img.Layers[i])
		}
	}
}

func TestLoadOCILayout(t *testing.T) {
	s := newStore(t)
	src := testImage(t)
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	must(t, lp.AppendImage(src, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": "latest", "io.containerd.image.name": "localhost:5000/oci/app:2",
	}), layout.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"})))
	file := filepath.Join(t.TempDir(), "oci.tar")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	must(t, image.WriteTar(f, dir))
	must(t, f.Close())
	refs, err := Load(context.Background(), s, file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refs, []string{"localhost:5000/oci/app:2"}) {
		t.Errorf("loaded %v", refs)
	}
	img, err := image.Lookup(s.Root, "localhost:5000/oci/app:2")
	if err != nil {
		t.Fatal(err)
	}
	wantDigest, _ := src.Digest()
	if img.Digest != wantDigest.String() || len(img.Layers) != 3 {
		t.Errorf("image = %+v, want manifest %s", img, wantDigest)
	}
	checkOverlay(t, img.Layers)
	// --tag names an image of an archive without names.
	lp2, _ := layout.Write(filepath.Join(t.TempDir(), "l2"), empty.Index)
	must(t, lp2.AppendImage(src))
	file2 := filepath.Join(t.TempDir(), "oci2.tar")
	f2, _ := os.Create(file2)
	must(t, image.WriteTar(f2, string(lp2)))
	f2.Close()
	if _, err := Load(context.Background(), s, file2, Options{}); err == nil {
		t.Errorf("an unnamed image was loaded without --tag")
	}
	if refs, err := Load(context.Background(), s, file2, Options{Tag: "named:now"}); err != nil || refs[0] != "docker.io/library/named:now" {
		t.Errorf("load --tag = %v, %v", refs, err)
	}
}
