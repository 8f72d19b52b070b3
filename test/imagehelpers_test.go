package test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/minipod/minipod/pkg/testutil"
)

// imagesRoot is where minipod keeps its images.
const imagesRoot = "/var/lib/minipod/images"

// testRegistry is an OCI distribution registry served by the test process
// on 127.0.0.1 (plain HTTP). It counts the requests it gets, can slow down
// blob downloads (to make pulls overlap) and can corrupt chosen blobs.
type testRegistry struct {
	host    string // 127.0.0.1:PORT
	handler http.Handler

	mu        sync.Mutex
	reqs      map[string]int  // "METHOD /v2/..." → count
	blobDelay time.Duration   // added to every blob GET
	corrupt   map[string]bool // blob digests served with one byte flipped
}

// newRegistry starts a registry for test t; it stops when t ends (after
// the pods of t are down: their cleanups were registered later).
func newRegistry(t *testing.T) *testRegistry {
	t.Helper()
	r := &testRegistry{
		handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))),
		reqs:    map[string]int{},
		corrupt: map[string]bool{},
	}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

func (r *testRegistry) serve(w http.ResponseWriter, req *http.Request) {
	isBlobGet := req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/blobs/sha256:")
	r.mu.Lock()
	r.reqs[req.Method+" "+req.URL.Path]++
	delay := r.blobDelay
	bad := isBlobGet && r.corrupt[path.Base(req.URL.Path)]
	r.mu.Unlock()
	if isBlobGet && delay > 0 {
		time.Sleep(delay)
	}
	if !bad {
		r.handler.ServeHTTP(w, req)
		return
	}
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if len(body) > 0 {
		body[len(body)/2] ^= 0xff
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// env is what minipod needs to reach the registry over plain HTTP.
func (r *testRegistry) env() runOpts {
	return runOpts{env: []string{"MINIPOD_INSECURE_REGISTRIES=" + r.host}}
}

// ref is the full reference of repo[:tag] in this registry.
func (r *testRegistry) ref(repoTag string) string { return r.host + "/" + repoTag }

// reset forgets the requests counted so far.
func (r *testRegistry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = map[string]int{}
}

// requests returns the counted requests of method whose path contains
// every one of parts.
func (r *testRegistry) requests(method string, parts ...string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
next:
	for k, n := range r.reqs {
		m, p, _ := strings.Cut(k, " ")
		if m != method {
			continue
		}
		for _, part := range parts {
			if !strings.Contains(p, part) {
				continue next
			}
		}
		out[p] = n
	}
	return out
}

// count sums requests(method, parts...).
func (r *testRegistry) count(method string, parts ...string) int {
	n := 0
	for _, c := range r.requests(method, parts...) {
		n += c
	}
	return n
}

// setBlobDelay slows down every blob GET by d.
func (r *testRegistry) setBlobDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.blobDelay = d
}

// corruptBlob makes the registry serve blob digest with one byte changed.
func (r *testRegistry) corruptBlob(digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.corrupt[digest] = true
}

func (r *testRegistry) nameRef(t testing.TB, repoTag string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(r.ref(repoTag), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// push uploads img as repo:tag and returns its full reference. The
// requests of the upload are not counted.
func (r *testRegistry) push(t testing.TB, repoTag string, img v1.Image) string {
	t.Helper()
	if err := remote.Write(r.nameRef(t, repoTag), img); err != nil {
		t.Fatalf("push %s: %v", repoTag, err)
	}
	r.reset()
	return r.ref(repoTag)
}

// pushIndex uploads idx (and its images) as repo:tag.
func (r *testRegistry) pushIndex(t testing.TB, repoTag string, idx v1.ImageIndex) string {
	t.Helper()
	if err := remote.WriteIndex(r.nameRef(t, repoTag), idx); err != nil {
		t.Fatalf("push index %s: %v", repoTag, err)
	}
	r.reset()
	return r.ref(repoTag)
}

// uniq returns base plus random hex: a repository name no other test or
// earlier run uses. (Unlike podName it is not a pod name.)
func uniq(base string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return base + "-" + hex.EncodeToString(b)
}

// randomText is n random hex characters: content that makes a layer new.
func randomText(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// tarEntry is one entry of a generated layer.
type tarEntry struct {
	name string
	typ  byte // tar.TypeReg, TypeDir, TypeSymlink
	body string
	link string
	mode int64
}

func fileEntry(name, body string) tarEntry {
	return tarEntry{name: name, typ: tar.TypeReg, body: body, mode: 0o644}
}

func dirEntry(name string) tarEntry { return tarEntry{name: name, typ: tar.TypeDir, mode: 0o755} }

func symlinkEntry(name, target string) tarEntry {
	return tarEntry{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777}
}

// whiteoutEntry deletes dir/base of the layers below.
func whiteoutEntry(dir, base string) tarEntry {
	return fileEntry(path.Join(dir, ".wh."+base), "")
}

// opaqueEntry hides everything the layers below have in dir.
func opaqueEntry(dir string) tarEntry {
	return fileEntry(path.Join(dir, ".wh..wh..opq"), "")
}

// tarOf writes entries as a tar stream.
func tarOf(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(1700000000, 0)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, ModTime: mtime, Linkname: e.link}
		if e.typ == tar.TypeDir && !strings.HasSuffix(h.Name, "/") {
			h.Name += "/"
		}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipLayer makes an OCI gzip layer of an uncompressed tar stream.
func gzipLayer(t testing.TB, tarData []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarData)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// layerOf is a gzip layer holding entries.
func layerOf(t testing.TB, entries ...tarEntry) v1.Layer {
	t.Helper()
	return gzipLayer(t, tarOf(t, entries...))
}

// tarTree writes the tree under dir as a tar stream, as an image layer
// has it: relative names, symlinks kept, hard links as links to the first
// name, owners and modes kept, device nodes, sockets and fifos left out
// (images ship an empty /dev). The same tree always gives the same bytes.
func tarTree(dir string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	type inode struct{ dev, ino uint64 }
	seen := map[inode]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		h := &tar.Header{
			Name:    filepath.ToSlash(rel),
			Mode:    int64(fi.Mode().Perm()),
			ModTime: fi.ModTime().Truncate(time.Second),
		}
		if fi.Mode()&fs.ModeSetuid != 0 {
			h.Mode |= 0o4000
		}
		if fi.Mode()&fs.ModeSetgid != 0 {
			h.Mode |= 0o2000
		}
		if fi.Mode()&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		if st != nil {
			h.Uid, h.Gid = int(st.Uid), int(st.Gid)
		}
		switch {
		case fi.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname = tar.TypeSymlink, target
		case fi.Mode().IsRegular():
			h.Typeflag, h.Size = tar.TypeReg, fi.Size()
			if st != nil && st.Nlink > 1 {
				key := inode{uint64(st.Dev), st.Ino}
				if first, ok := seen[key]; ok {
					h.Typeflag, h.Linkname, h.Size = tar.TypeLink, first, 0
				} else {
					seen[key] = h.Name
				}
			}
		default:
			return nil // devices, fifos, sockets
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// busyboxTar is the busybox directory image's rootfs as a tar stream,
// made once per test binary.
var busyboxTar = sync.OnceValues(func() ([]byte, error) {
	return tarTree(filepath.Join(imagesRoot, "busybox", "latest", "rootfs"))
})

// busyboxLayer is a gzip layer of the busybox rootfs.
func busyboxLayer(t testing.TB) v1.Layer {
	t.Helper()
	b, err := busyboxTar()
	if err != nil {
		t.Fatalf("tar busybox rootfs: %v", err)
	}
	return gzipLayer(t, b)
}

// defaultPath is the PATH of the project's images.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// buildImage makes an OCI image for linux/arch of layers (lowest first)
// with config cfg.
func buildImageArch(t testing.TB, arch string, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
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

// buildImage makes an OCI image for this machine.
func buildImage(t testing.TB, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	return buildImageArch(t, runtime.GOARCH, cfg, layers...)
}

// dirImage makes a one-layer image of a directory image of the project
// (DIR/rootfs + DIR/config.json). The layer is an uncompressed tar, the
// quickest to make and serve for the big ones.
func dirImage(t testing.TB, dir string) (v1.Image, error) {
	t.Helper()
	data, err := tarTree(filepath.Join(dir, "rootfs"))
	if err != nil {
		return nil, err
	}
	var cfg v1.Config
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, err
	}
	return buildImage(t, cfg, static.NewLayer(data, types.OCIUncompressedLayer)), nil
}

// digestOf returns img's manifest digest.
func digestOf(t testing.TB, img interface{ Digest() (v1.Hash, error) }) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// imageRow is one line of `minipod images --no-trunc`.
type imageRow struct{ repo, tag, digest string }

// listImages returns the rows of `minipod images --no-trunc`.
func listImages(t testing.TB) []imageRow {
	t.Helper()
	out := mustMP(t, "images", "--no-trunc")
	ls := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(ls) == 0 || !strings.HasPrefix(ls[0], "REPOSITORY") {
		t.Fatalf("images printed no header:\n%s", out)
	}
	var rows []imageRow
	for _, l := range ls[1:] {
		f := strings.Fields(l)
		if len(f) >= 3 {
			rows = append(rows, imageRow{f[0], f[1], f[2]})
		}
	}
	return rows
}

// findImage returns the row of repo:tag in `images`, if any.
func findImage(t testing.TB, repo, tag string) (imageRow, bool) {
	t.Helper()
	for _, r := range listImages(t) {
		if r.repo == repo && r.tag == tag {
			return r, true
		}
	}
	return imageRow{}, false
}

// rmiAtEnd removes the image references refs from the store when t ends
// (after its pods are down), so that runs do not pile up references.
func rmiAtEnd(t *testing.T, refs ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, ref := range refs {
			r := mp(t, "rmi", ref)
			if r.code != 0 && !strings.Contains(r.stderr, "not found") {
				t.Errorf("rmi at the end: %s", r)
			}
		}
	})
}

// sortedKeys lists m's keys in order (for messages).
func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// upWithin is tryUp with its own time limit: a pod that never comes up
// fails the test after d rather than after cmdTimeout.
func upWithin(t *testing.T, name, text string, o runOpts, d time.Duration) result {
	t.Helper()
	path := writeManifest(t, name, text)
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, o) })
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	args := []string{"up", "-d", path}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), o.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: errb.String()}
	if ctx.Err() != nil {
		r.code = -1
		r.stderr += fmt.Sprintf("\n(test: no answer within %v)", d)
		return r
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("minipod up: %v", err)
	}
	return r
}
