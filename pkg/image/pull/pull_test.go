package pull

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/minipod/minipod/pkg/image"
	"golang.org/x/sys/unix"
)

func TestPullLookupRemovePrune(t *testing.T) {
	s := newStore(t)
	host, _ := newRegistry(t)
	src := testImage(t)
	push(t, host+"/test/img:v1", src)
	var progress bytes.Buffer
	img, err := Pull(context.Background(), s, host+"/test/img:v1", Options{Insecure: []string{host}, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(progress.String(), ": done ("); n != 3 {
		t.Errorf("progress (want one done line per layer):\n%s", progress.String())
	}

	// Layers in order, at their content addresses; config as pushed.
	cf, _ := src.ConfigFile()
	wantID, _ := src.ConfigName()
	wantDigest, _ := src.Digest()
	if img.ID != wantID.String() || img.Digest != wantDigest.String() || len(img.Layers) != 3 {
		t.Fatalf("image = %+v; want ID %s digest %s, 3 layers", img, wantID, wantDigest)
	}
	for i, d := range cf.RootFS.DiffIDs {
		dir, _ := s.LayerDir(d.String())
		if img.Layers[i] != filepath.Join(dir, "rootfs") {
			t.Errorf("layer %d = %s, want %s", i, img.Layers[i], dir)
		}
	}
	if img.RootFS != img.Layers[2] {
		t.Errorf("RootFS = %s, want the top layer", img.RootFS)
	}
	c := img.Config
	if !slices.Equal(c.Entrypoint, []string{"/bin/b"}) || !slices.Equal(c.Cmd, []string{"-x"}) ||
		!slices.Equal(c.Env, []string{"PATH=/bin", "A=1"}) || c.WorkingDir != "/home/app" || c.User != "app:grp" {
		t.Errorf("config = %+v", c)
	}
	if uid, gid, err := img.ResolveUser(); err != nil || uid != 1000 || gid != 2000 {
		t.Errorf("ResolveUser = %d:%d, %v; want 1000:2000", uid, gid, err)
	}
	if again, err := image.Lookup(s.Root, host+"/test/img:v1"); err != nil || again.ID != img.ID {
		t.Errorf("Lookup = %v, %v", again, err)
	}
	if again, err := image.Lookup(s.Root, host+"/test/img@"+wantDigest.String()); err != nil || again.ID != img.ID {
		t.Errorf("Lookup by digest = %v, %v", again, err)
	}
	checkUnpackedBase(t, img.Layers[0])
	checkOverlay(t, img.Layers)

	// List and Summaries.
	if l := image.List(s.Root); !slices.Contains(l, host+"/test/img:v1") {
		t.Errorf("List = %v", l)
	}
	sums := image.Summaries(s.Root)
	if len(sums) != 1 || sums[0].Repository != host+"/test/img" || sums[0].Tag != "v1" || sums[0].Digest != wantDigest.String() || sums[0].Size == 0 {
		t.Errorf("Summaries = %+v", sums)
	}

	// A second pull needs nothing new.
	progress.Reset()
	if _, err := Pull(context.Background(), s, host+"/test/img:v1", Options{Insecure: []string{host}, Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(progress.String(), "already exists"); n != 3 {
		t.Errorf("second pull progress:\n%s", progress.String())
	}

	// rmi refuses while a pod uses the image, then removes it; prune then
	// leaves an empty store.
	inUse := func(id string) (string, bool) { return "web", id == img.ID }
	if _, err := image.Remove(s.Root, host+"/test/img:v1", inUse); err == nil || !strings.Contains(err.Error(), `pod "web"`) {
		t.Errorf("Remove of an image in use: %v", err)
	}
	if rep, err := s.Prune(nil); err != nil || rep.Blobs != 0 || rep.Layers != 0 {
		t.Errorf("Prune with the image recorded = %+v, %v", rep, err)
	}
	if _, err := image.Remove(s.Root, host+"/test/img:v1", func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if _, err := image.Lookup(s.Root, host+"/test/img:v1"); !errors.Is(err, image.ErrNotFound) {
		t.Errorf("Lookup after Remove: %v", err)
	}
	rep, err := s.Prune(nil)
	if err != nil || rep.Blobs != 5 || rep.Layers != 3 {
		t.Errorf("Prune = %+v, %v; want 5 blobs (manifest, config, 3 layers) and 3 layers", rep, err)
	}
	for _, d := range []string{"blobs/sha256", "layers/sha256", "refs", "tmp"} {
		if ents, _ := os.ReadDir(filepath.Join(s.Root, "_oci", d)); len(ents) != 0 {
			t.Errorf("%s not empty after prune: %v", d, ents)
		}
	}
}

// checkUnpackedBase checks owners, modes, links and the FIFO of layer 0.
func checkUnpackedBase(t *testing.T, root string) {
	t.Helper()
	var a, b, home unix.Stat_t
	must(t, unix.Lstat(filepath.Join(root, "bin/a"), &a))
	must(t, unix.Lstat(filepath.Join(root, "bin/b"), &b))
	must(t, unix.Lstat(filepath.Join(root, "home/app"), &home))
	if a.Ino != b.Ino || a.Mode&0o7777 != 0o4755 {
		t.Errorf("bin/a mode %o ino %d, bin/b ino %d: want a setuid hard link pair", a.Mode, a.Ino, b.Ino)
	}
	if home.Uid != 1000 || home.Mode&0o777 != 0o700 || home.Mtim.Sec != mtime.Unix() {
		t.Errorf("home/app = uid %d mode %o mtime %d", home.Uid, home.Mode&0o777, home.Mtim.Sec)
	}
	if l, err := os.Readlink(filepath.Join(root, "lnk")); err != nil || l != "/etc/passwd" {
		t.Errorf("lnk -> %q, %v", l, err)
	}
	if st, err := os.Lstat(filepath.Join(root, "fifo")); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("fifo: %v %v", st, err)
	}
}

// checkOverlay mounts the layers as overlayfs lowerdirs and checks that
// the whiteout deleted bin/a and the opaque directory hid d/x and d/y.
func checkOverlay(t *testing.T, layers []string) {
	t.Helper()
	mnt := t.TempDir()
	lower := slices.Clone(layers)
	slices.Reverse(lower) // overlay wants the top layer first
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, "lowerdir="+strings.Join(lower, ":")); err != nil {
		t.Fatalf("mount overlay: %v", err)
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	if _, err := os.Lstat(filepath.Join(mnt, "bin/a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bin/a through the overlay: %v, want deleted by the whiteout", err)
	}
	if data, err := os.ReadFile(filepath.Join(mnt, "bin/b")); err != nil || string(data) != "#!/bin/sh\n" {
		t.Errorf("bin/b = %q, %v", data, err)
	}
	ents, _ := os.ReadDir(filepath.Join(mnt, "d"))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"z"}) {
		t.Errorf("d/ through the overlay = %v, want [z] (opaque)", names)
	}
	if data, err := os.ReadFile(filepath.Join(mnt, "etc/motd")); err != nil || string(data) != "hello\n" {
		t.Errorf("etc/motd = %q, %v", data, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPlainHTTPOnlyWhenInsecure(t *testing.T) {
	s := newStore(t)
	host, _ := newRegistry(t)
	push(t, host+"/test/img:v1", testImage(t))
	_, err := Pull(context.Background(), s, host+"/test/img:v1", Options{})
	if err == nil || !strings.Contains(err.Error(), "insecure") {
		t.Fatalf("pull over plain HTTP without --insecure-registry: %v", err)
	}
	if recs, _ := s.Records(); len(recs) != 0 {
		t.Errorf("records after a refused pull: %v", recs)
	}
	conf := filepath.Join(t.TempDir(), "config")
	must(t, os.WriteFile(conf, []byte("bridge = x\ninsecure-registries = a:1, "+host+"\n"), 0o644))
	t.Setenv("MINIPOD_CONFIG", conf)
	t.Setenv("MINIPOD_INSECURE_REGISTRIES", "")
	hosts, err := InsecureRegistries()
	if err != nil || !slices.Equal(hosts, []string{"a:1", host}) {
		t.Errorf("InsecureRegistries = %v, %v", hosts, err)
	}
	if _, err := Pull(context.Background(), s, host+"/test/img:v1", Options{Insecure: hosts}); err != nil {
		t.Errorf("pull with the registry listed: %v", err)
	}
}

func TestMultiArchIndex(t *testing.T) {
	s := newStore(t)
	host, _ := newRegistry(t)
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	mine := imageOf(t, runtime.GOARCH, v1.Config{Cmd: []string{"mine"}}, layerOf(t, file("arch", runtime.GOARCH)))
	theirs := imageOf(t, other, v1.Config{Cmd: []string{"theirs"}}, layerOf(t, file("arch", other)))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: theirs, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: other}}},
		mutate.IndexAddendum{Add: mine, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
	)
	ref, _ := name.ParseReference(host + "/multi:1")
	must(t, remote.WriteIndex(ref, idx))
	img := pullOK(t, s, host+"/multi:1", host)
	if !slices.Equal(img.Config.Cmd, []string{"mine"}) {
		t.Errorf("picked %v, want this platform's image", img.Config.Cmd)
	}
	if data, _ := os.ReadFile(filepath.Join(img.RootFS, "arch")); string(data) != runtime.GOARCH {
		t.Errorf("arch file = %q", data)
	}
	idxDigest, _ := idx.Digest()
	mineDigest, _ := mine.Digest()
	sums := image.Summaries(s.Root)
	if len(sums) != 1 || sums[0].Digest != idxDigest.String() || img.Digest != mineDigest.String() {
		t.Errorf("summary %+v / image digest %s; want index digest %s, manifest %s", sums, img.Digest, idxDigest, mineDigest)
	}
	// By the index digest too.
	if img2 := pullOK(t, s, host+"/multi@"+idxDigest.String(), host); img2.ID != img.ID {
		t.Errorf("pull by index digest gave %s, want %s", img2.ID, img.ID)
	}
	_, err := Pull(context.Background(), s, host+"/multi:1", Options{Insecure: []string{host}, Platform: &image.Platform{OS: "linux", Architecture: "s390x"}})
	if err == nil || !strings.Contains(err.Error(), "no image for platform linux/s390x") {
		t.Errorf("pull for a platform the index lacks: %v", err)
	}
}

func TestCorruptBlobRefused(t *testing.T) {
	s := newStore(t)
	host, c := newRegistry(t)
	src := testImage(t)
	push(t, host+"/test/img:v1", src)
	layers, _ := src.Layers()
	bad, _ := layers[1].Digest()
	c.corrupt = bad.String()
	_, err := Pull(context.Background(), s, host+"/test/img:v1", Options{Insecure: []string{host}, Jobs: 1})
	if err == nil {
		t.Fatal("a corrupted blob was accepted")
	}
	t.Logf("refused: %v", err)
	if recs, _ := s.Records(); len(recs) != 0 {
		t.Errorf("records after a failed pull: %v", recs)
	}
	if s.HasBlob(bad.String()) {
		t.Errorf("the corrupted blob is in the store")
	}
	cf, _ := src.ConfigFile()
	if s.HasLayer(cf.RootFS.DiffIDs[1].String()) {
		t.Errorf("the corrupted layer was unpacked")
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Root, "_oci", "tmp")); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
	c.corrupt = ""
	pullOK(t, s, host+"/test/img:v1", host)
}

func TestConcurrentPullsFetchEachBlobOnce(t *testing.T) {
	s := newStore(t)
	host, c := newRegistry(t)
	src := testImage(t)
	push(t, host+"/test/img:v1", src)
	c.gets = map[string]int{}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Pull(context.Background(), s, host+"/test/img:v1", Options{Insecure: []string{host}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(c.gets) != 4 { // config + 3 layers
		t.Errorf("blobs fetched: %v, want config and 3 layers", c.gets)
	}
	for d, n := range c.gets {
		if n != 1 {
			t.Errorf("blob %s fetched %d times", d, n)
		}
	}
}
