package pull

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/zstd"
	"github.com/minipod/minipod/pkg/image"
)

// putManifest stores raw manifest bytes in the test registry under ref
// (a tag or digest), as a registry that serves whatever it is given.
func putManifest(t *testing.T, host, repo, ref, mediaType string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://"+host+"/v2/"+repo+"/manifests/"+ref, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT manifest %s: %s", ref, resp.Status)
	}
}

// pushedManifest pushes the test image and returns its manifest, to be
// altered and stored again under another tag.
func pushedManifest(t *testing.T, host string) image.Manifest {
	t.Helper()
	src := testImage(t)
	push(t, host+"/test/img:v1", src)
	raw, err := src.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	var m image.Manifest
	must(t, json.Unmarshal(raw, &m))
	m.MediaType = image.MediaTypeOCIManifest
	return m
}

// pullRefused pulls ref and requires an error containing want, then that
// nothing was recorded and no temporary file is left.
func pullRefused(t *testing.T, s *image.Store, host, ref, want string) {
	t.Helper()
	_, err := Pull(context.Background(), s, host+"/"+ref, Options{Insecure: []string{host}, Jobs: 1})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("pull %s: got %v, want an error containing %q", ref, err, want)
	}
	if recs, _ := s.Records(); len(recs) != 0 {
		t.Errorf("records after a refused pull: %v", recs)
	}
	if ents, _ := os.ReadDir(filepath.Join(s.Root, "_oci", "tmp")); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// TestDescriptorSizesEnforced: a config or layer without a size, or with a
// size other than its blob's, is refused naming the blob, and a size-less
// layer is refused before any layer is downloaded.
func TestDescriptorSizesEnforced(t *testing.T) {
	cases := []struct {
		name   string
		change func(m *image.Manifest)
		want   func(m image.Manifest) string
	}{
		{"layer without size", func(m *image.Manifest) { m.Layers[1].Size = 0 },
			func(m image.Manifest) string {
				return "layer " + m.Layers[1].Digest + ": the descriptor declares no size"
			}},
		{"negative layer size", func(m *image.Manifest) { m.Layers[2].Size = -1 },
			func(m image.Manifest) string {
				return "layer " + m.Layers[2].Digest + ": the descriptor declares an invalid size -1"
			}},
		{"config without size", func(m *image.Manifest) { m.Config.Size = 0 },
			func(m image.Manifest) string {
				return "config " + m.Config.Digest + ": the descriptor declares no size"
			}},
		{"config over 4 MiB", func(m *image.Manifest) { m.Config.Size = 5 << 20 },
			func(m image.Manifest) string {
				return "config " + m.Config.Digest + ": the descriptor declares 5242880 bytes, more than the 4194304 allowed"
			}},
		{"layer longer than declared", func(m *image.Manifest) { m.Layers[0].Size-- },
			func(m image.Manifest) string {
				return fmt.Sprintf("blob %s: longer than the %d bytes its descriptor declares", m.Layers[0].Digest, m.Layers[0].Size)
			}},
		{"layer shorter than declared", func(m *image.Manifest) { m.Layers[0].Size++ },
			func(m image.Manifest) string {
				return fmt.Sprintf("blob %s: shorter than the %d bytes its descriptor declares", m.Layers[0].Digest, m.Layers[0].Size)
			}},
		{"config longer than declared", func(m *image.Manifest) { m.Config.Size-- },
			func(m image.Manifest) string {
				return fmt.Sprintf("blob %s: longer than the %d bytes its descriptor declares", m.Config.Digest, m.Config.Size)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			host, c := newRegistry(t)
			m := pushedManifest(t, host)
			tc.change(&m)
			body, _ := json.Marshal(m)
			putManifest(t, host, "test/img", "bad", m.MediaType, body)
			c.gets = map[string]int{}
			pullRefused(t, s, host, "test/img:bad", tc.want(m))
			if strings.Contains(tc.name, "size") {
				if len(c.gets) != 0 {
					t.Errorf("blobs fetched before the sizes were checked: %v", c.gets)
				}
			}
		})
	}
}

// TestIndexDescriptorSizes: the manifest an index points at must declare
// its size, and be that long.
func TestIndexDescriptorSizes(t *testing.T) {
	mismatch := func(n, declared int64) string {
		return fmt.Sprintf("%d bytes, its descriptor declares %d", n, declared)
	}
	for _, tc := range []struct {
		name string
		size func(real int64) int64
		want func(real, declared int64) string
	}{
		{"no size", func(int64) int64 { return 0 }, func(int64, int64) string { return "the descriptor declares no size" }},
		{"size one short", func(n int64) int64 { return n - 1 }, mismatch},
		{"size one long", func(n int64) int64 { return n + 1 }, mismatch},
		{"over 4 MiB", func(int64) int64 { return 5 << 20 }, func(_, d int64) string {
			return fmt.Sprintf("the descriptor declares %d bytes, more than the 4194304 allowed", d)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			host, _ := newRegistry(t)
			src := testImage(t)
			push(t, host+"/test/img:v1", src)
			raw, _ := src.RawManifest()
			d, _ := src.Digest()
			size := tc.size(int64(len(raw)))
			idx := image.Index{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex, Manifests: []image.Descriptor{{
				MediaType: image.MediaTypeDockerManifest, Digest: d.String(), Size: size,
				Platform: &image.Platform{OS: "linux", Architecture: runtime.GOARCH}}}}
			body, _ := json.Marshal(idx)
			putManifest(t, host, "test/img", "idx", image.MediaTypeOCIIndex, body)
			pullRefused(t, s, host, "test/img:idx", "manifest "+d.String()+": "+tc.want(int64(len(raw)), size))
		})
	}
}

// TestLargeManifestRefused: a manifest fetched by tag has no descriptor;
// it is read up to 4 MiB whether or not the registry says how long it is.
func TestLargeManifestRefused(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			s := newStore(t)
			host, c := newRegistry(t)
			m := pushedManifest(t, host)
			big := struct {
				image.Manifest
				Annotations map[string]string `json:"annotations"`
			}{m, map[string]string{"padding": strings.Repeat("x", 5<<20)}}
			body, _ := json.Marshal(big)
			putManifest(t, host, "test/img", "big", m.MediaType, body)
			if chunked {
				c.h = dropLength{c.h}
			}
			pullRefused(t, s, host, "test/img:big", "more than the 4194304")
		})
	}
}

// dropLength serves without Content-Length (chunked), as a registry may.
type dropLength struct{ h http.Handler }

func (d dropLength) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.h.ServeHTTP(noLengthWriter{w}, r)
}

type noLengthWriter struct{ http.ResponseWriter }

func (w noLengthWriter) WriteHeader(code int) {
	w.Header().Del("Content-Length")
	w.ResponseWriter.WriteHeader(code)
}

func mustTag(t *testing.T, s string) name.Tag {
	tag, err := name.NewTag(s)
	must(t, err)
	return tag
}

// bombImage has one layer of 64 MiB of zeros, about 64 KiB gzipped.
func bombImage(t *testing.T) (v1.Image, string) {
	img := imageOf(t, runtime.GOARCH, v1.Config{}, layerOf(t, file("zeros", string(make([]byte, 64<<20)))))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return img, cf.RootFS.DiffIDs[0].String()
}

// TestGzipBombRefused: a small compressed layer that expands past
// max-layer-size fails naming the layer, leaves no partial layer, and
// unpacks once the limit allows it.
func TestGzipBombRefused(t *testing.T) {
	s := newStore(t)
	host, _ := newRegistry(t)
	img, diffID := bombImage(t)
	push(t, host+"/test/bomb:1", img)
	t.Setenv("MINIPOD_MAX_LAYER_SIZE", "1048576")
	start := time.Now()
	pullRefused(t, s, host, "test/bomb:1", "layer "+diffID+": larger than max-layer-size (1048576 bytes) uncompressed")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("refusing took %v", took)
	}
	if s.HasLayer(diffID) {
		t.Error("the layer was unpacked")
	}
	// The compressed layer declares more than the limit: refused unread.
	t.Setenv("MINIPOD_MAX_LAYER_SIZE", "1000")
	pullRefused(t, s, host, "test/bomb:1", "more than the 1000 allowed")
	t.Setenv("MINIPOD_MAX_LAYER_SIZE", "")
	if img := pullOK(t, s, host+"/test/bomb:1", host); len(img.Layers) != 1 {
		t.Errorf("pulled %+v", img)
	}
}

// TestLoadBounds: a docker-save archive's layers have no declared size, so
// max-layer-size bounds them; an OCI layout's descriptors must have sizes.
func TestLoadBounds(t *testing.T) {
	s := newStore(t)
	img, diffID := bombImage(t)
	archive := filepath.Join(t.TempDir(), "bomb.tar")
	must(t, tarball.WriteToFile(archive, mustTag(t, "example.com/bomb:1"), img))
	t.Setenv("MINIPOD_MAX_LAYER_SIZE", "1048576")
	_, err := Load(context.Background(), s, archive, Options{})
	if err == nil || !strings.Contains(err.Error(), "layer "+diffID+": larger than max-layer-size (1048576 bytes)") {
		t.Errorf("docker archive bomb: %v", err)
	}
	if s.HasBlob(diffID) || s.HasLayer(diffID) {
		t.Error("the bomb layer was stored")
	}

	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	must(t, err)
	must(t, lp.AppendImage(testImage(t), layout.WithAnnotations(map[string]string{"io.containerd.image.name": "example.com/oci:1"})))
	idxPath := filepath.Join(dir, "index.json")
	idx, err := os.ReadFile(idxPath)
	must(t, err)
	var im v1.IndexManifest
	must(t, json.Unmarshal(idx, &im))
	im.Manifests[0].Size = 0
	idx, _ = json.Marshal(im)
	must(t, os.WriteFile(idxPath, idx, 0o644))
	file := filepath.Join(t.TempDir(), "oci.tar")
	f, err := os.Create(file)
	must(t, err)
	must(t, image.WriteTar(f, dir))
	must(t, f.Close())
	_, err = Load(context.Background(), s, file, Options{})
	if want := "manifest " + im.Manifests[0].Digest.String() + ": the descriptor declares no size"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("OCI layout without sizes: %v, want %q", err, want)
	}
}

// TestZstdWindowBounded: a zstd layer asking for a window over 128 MiB is
// refused instead of making the decoder allocate it.
func TestZstdWindowBounded(t *testing.T) {
	for _, tc := range []struct {
		descriptor byte // Window_Descriptor: exponent<<3, window 1 KiB << exponent
		ok         bool
	}{{17 << 3, true}, {18 << 3, false}} { // 128 MiB, 256 MiB
		var buf bytes.Buffer
		zw, err := zstd.NewWriter(&buf, zstd.WithSingleSegment(false))
		must(t, err)
		_, err = zw.Write([]byte("hello"))
		must(t, err)
		must(t, zw.Close())
		frame := buf.Bytes()
		if frame[4]&0x20 != 0 {
			t.Fatalf("frame header %x has no window descriptor", frame[4])
		}
		frame[5] = tc.descriptor // the frame now asks for a bigger window
		blob := filepath.Join(t.TempDir(), "blob")
		must(t, os.WriteFile(blob, frame, 0o644))
		rc, err := openDecompressed(blob)
		must(t, err)
		data, err := io.ReadAll(rc)
		rc.Close()
		if tc.ok != (err == nil) || tc.ok && string(data) != "hello" {
			t.Errorf("window descriptor %#x: read %q, %v", tc.descriptor, data, err)
		}
	}
}
