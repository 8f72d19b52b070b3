package pull

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/testutil"
)

// ent is one tar entry of a generated layer.
type ent struct {
	name string
	typ  byte
	body string
	link string
	mode int64
	uid  int
}

func file(name, body string) ent { return ent{name: name, typ: tar.TypeReg, body: body} }
func dir(name string) ent        { return ent{name: name, typ: tar.TypeDir, mode: 0o755} }

var mtime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func tarOf(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: mode, Linkname: e.link, ModTime: mtime, Uid: e.uid, Gid: e.uid, Format: tar.FormatPAX}
		if e.typ == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func layerOf(t testing.TB, ents ...ent) v1.Layer {
	t.Helper()
	b := tarOf(t, ents...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func imageOf(t testing.TB, arch string, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", arch, cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// testImage has three layers: a base with users, a hard link, an absolute
// symlink and a FIFO; a layer deleting /bin/a (whiteout) and emptying /d
// (opaque) before adding d/z; and a layer adding a file.
func testImage(t testing.TB) v1.Image {
	base := layerOf(t,
		dir("etc/"), file("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"),
		file("etc/group", "root:x:0:\napp:x:1001:\ngrp:x:2000:app\n"),
		dir("bin/"), ent{name: "bin/a", typ: tar.TypeReg, body: "#!/bin/sh\n", mode: 0o4755},
		ent{name: "bin/b", typ: tar.TypeLink, link: "bin/a"},
		ent{name: "lnk", typ: tar.TypeSymlink, link: "/etc/passwd"},
		ent{name: "fifo", typ: tar.TypeFifo, mode: 0o600},
		dir("d/"), file("d/x", "x"), file("d/y", "y"),
		ent{name: "home/app/", typ: tar.TypeDir, mode: 0o700, uid: 1000},
	)
	mid := layerOf(t, dir("bin/"), file("bin/.wh.a", ""), dir("d/"), file("d/.wh..wh..opq", ""), file("d/z", "z"))
	top := layerOf(t, file("etc/motd", "hello\n"))
	return imageOf(t, runtime.GOARCH, v1.Config{
		Entrypoint: []string{"/bin/b"}, Cmd: []string{"-x"}, Env: []string{"PATH=/bin", "A=1"},
		WorkingDir: "/home/app", User: "app:grp", ExposedPorts: map[string]struct{}{"80/tcp": {}},
	}, base, mid, top)
}

// counter counts the GET requests for each blob a registry serves.
type counter struct {
	mu   sync.Mutex
	gets map[string]int
	h    http.Handler
	// corrupt replaces the body of this blob digest.
	corrupt string
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if i := strings.Index(r.URL.Path, "/blobs/sha256:"); i >= 0 && r.Method == http.MethodGet {
		d := r.URL.Path[i+len("/blobs/"):]
		c.mu.Lock()
		c.gets[d]++
		c.mu.Unlock()
		if d == c.corrupt {
			rec := httptest.NewRecorder()
			c.h.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			body[len(body)/2] ^= 0xff
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(body)
			return
		}
	}
	c.h.ServeHTTP(w, r)
}

// newRegistry serves an in-memory registry on 127.0.0.1.
func newRegistry(t testing.TB) (host string, c *counter) {
	t.Helper()
	c = &counter{gets: map[string]int{}, h: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), c
}

func push(t testing.TB, ref string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

func newStore(t testing.TB) *image.Store {
	testutil.RequiresRoot(t) // unpacking sets owners, makes whiteout devices and trusted xattrs
	return image.NewStore(t.TempDir())
}

func pullOK(t testing.TB, s *image.Store, ref, host string) *image.Image {
	t.Helper()
	img, err := Pull(context.Background(), s, ref, Options{Insecure: []string{host}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}
