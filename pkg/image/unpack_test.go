package image

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

type tent struct {
	name, body, link string
	typ              byte
}

func layerTar(t *testing.T, ents ...tent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Linkname: e.link, ModTime: time.Unix(1e9, 0), Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if e.typ == tar.TypeDir {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	tw.Close()
	return buf.Bytes()
}

// TestExtractContainsEverything feeds a hostile layer: "../" names,
// absolute names, absolute and relative symlinks leading out of the layer
// followed by entries written through them, hard links naming files
// outside, and device nodes. Nothing may appear outside the layer.
func TestExtractContainsEverything(t *testing.T) {
	testutil.RequiresRoot(t)
	base := t.TempDir()
	sentinel := filepath.Join(base, "sentinel")
	if err := os.Mkdir(sentinel, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(base, "secret")
	if err := os.WriteFile(secret, []byte("host secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	layer := filepath.Join(base, "a", "b", "layer")
	if err := os.MkdirAll(filepath.Dir(layer), 0o755); err != nil {
		t.Fatal(err)
	}
	up := "../../../"
	data := layerTar(t,
		tent{name: up + "sentinel/dotdot", typ: tar.TypeReg, body: "x"},
		tent{name: "/" + strings.TrimPrefix(sentinel, "/") + "/abs", typ: tar.TypeReg, body: "x"},
		tent{name: sentinel + "/abs2", typ: tar.TypeReg, body: "x"},
		tent{name: "abslink", typ: tar.TypeSymlink, link: sentinel},
		tent{name: "abslink/through-abs", typ: tar.TypeReg, body: "x"},
		tent{name: "rellink", typ: tar.TypeSymlink, link: up + "sentinel"},
		tent{name: "rellink/through-rel", typ: tar.TypeReg, body: "x"},
		tent{name: "rellink/newdir/f", typ: tar.TypeReg, body: "x"},
		tent{name: "dirlink", typ: tar.TypeSymlink, link: "/"},
		tent{name: "dirlink/" + up + up + "sentinel/deep", typ: tar.TypeReg, body: "x"},
		tent{name: "hl-out", typ: tar.TypeLink, link: up + "secret"},
		tent{name: "secret", typ: tar.TypeReg, body: "layer secret"},
		tent{name: "hl-in", typ: tar.TypeLink, link: up + "secret"},
		tent{name: "secretlink", typ: tar.TypeSymlink, link: secret},
		tent{name: "hl-symlink", typ: tar.TypeLink, link: "secretlink"},
		tent{name: "dev/sda", typ: tar.TypeBlock},
		tent{name: "dev/mem", typ: tar.TypeChar},
		tent{name: "abslink", typ: tar.TypeReg, body: "replaced"},
		tent{name: "abslink2", typ: tar.TypeSymlink, link: sentinel},
		tent{name: "abslink2", typ: tar.TypeDir},
		tent{name: "abslink2/inside", typ: tar.TypeReg, body: "x"},
	)
	_, err := Extract(layer, bytes.NewReader(data))
	// A hard link to a file outside must fail (the name does not exist in
	// the layer); extract the rest without it to check everything else.
	if err == nil || !strings.Contains(err.Error(), "hl-out") {
		t.Errorf("hard link out of the layer: err = %v", err)
	}
	if ents, _ := os.ReadDir(sentinel); len(ents) != 0 {
		t.Fatalf("entries escaped into %s: %v", sentinel, ents)
	}
	os.RemoveAll(layer)
	var filtered []byte
	{
		tr := tar.NewReader(bytes.NewReader(data))
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for {
			hdr, err := tr.Next()
			if err != nil {
				break
			}
			if hdr.Name == "hl-out" {
				continue
			}
			tw.WriteHeader(hdr)
			io.Copy(tw, tr)
		}
		tw.Close()
		filtered = buf.Bytes()
	}
	if _, err := Extract(layer, bytes.NewReader(filtered)); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(sentinel); len(ents) != 0 {
		t.Fatalf("entries escaped into %s: %v", sentinel, ents)
	}
	if data, _ := os.ReadFile(secret); string(data) != "host secret" {
		t.Errorf("host file changed: %q", data)
	}
	// Everything landed inside, at its name resolved in the layer.
	for _, p := range []string{"sentinel/dotdot", strings.TrimPrefix(sentinel, "/") + "/abs", strings.TrimPrefix(sentinel, "/") + "/abs2",
		"sentinel/through-rel", "sentinel/newdir/f", "sentinel/deep", "abslink2/inside"} {
		if _, err := os.Lstat(filepath.Join(layer, p)); err != nil {
			t.Errorf("%s not inside the layer: %v", p, err)
		}
	}
	// abslink was replaced by a regular file; the write through it went to
	// <layer>/<sentinel>/through-abs.
	if data, _ := os.ReadFile(filepath.Join(layer, "abslink")); string(data) != "replaced" {
		t.Errorf("abslink = %q", data)
	}
	if _, err := os.Lstat(filepath.Join(layer, strings.TrimPrefix(sentinel, "/"), "through-abs")); err != nil {
		t.Errorf("write through an absolute symlink: %v", err)
	}
	var in, sec, hs, sl unix.Stat_t
	unix.Lstat(filepath.Join(layer, "hl-in"), &in)
	unix.Lstat(filepath.Join(layer, "secret"), &sec)
	unix.Lstat(filepath.Join(layer, "hl-symlink"), &hs)
	unix.Lstat(filepath.Join(layer, "secretlink"), &sl)
	if in.Ino != sec.Ino || hs.Ino != sl.Ino || hs.Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("hard links: hl-in %d secret %d, hl-symlink %d (mode %o) secretlink %d", in.Ino, sec.Ino, hs.Ino, hs.Mode, sl.Ino)
	}
	if _, err := os.Lstat(filepath.Join(layer, "dev/sda")); err == nil {
		t.Errorf("a block device was created")
	}
	if _, err := os.Lstat(filepath.Join(layer, "dev/mem")); err == nil {
		t.Errorf("a character device was created")
	}
}

func TestExtractWhiteouts(t *testing.T) {
	testutil.RequiresRoot(t)
	layer := filepath.Join(t.TempDir(), "l")
	data := layerTar(t,
		tent{name: "d/", typ: tar.TypeDir}, tent{name: "d/.wh..wh..opq", typ: tar.TypeReg},
		tent{name: "etc/.wh.passwd", typ: tar.TypeReg}, tent{name: ".wh.top", typ: tar.TypeReg},
		tent{name: "x/trusted", typ: tar.TypeReg},
	)
	if _, err := Extract(layer, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"etc/passwd", "top"} {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(layer, p), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
			t.Errorf("%s: %v mode %o rdev %d, want a 0/0 char device", p, err, st.Mode, st.Rdev)
		}
	}
	buf := make([]byte, 8)
	if n, err := unix.Lgetxattr(filepath.Join(layer, "d"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("d opaque xattr = %q, %v", buf[:n], err)
	}
	if ents, _ := os.ReadDir(filepath.Join(layer, "d")); len(ents) != 0 {
		t.Errorf("d/ holds %v", ents)
	}
}

func TestExtractRefusesForgedOverlayXattrs(t *testing.T) {
	testutil.RequiresRoot(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX, PAXRecords: map[string]string{
		"SCHILY.xattr.trusted.overlay.redirect": "/etc", "SCHILY.xattr.user.ok": "1",
	}})
	tw.Close()
	layer := filepath.Join(t.TempDir(), "l")
	if _, err := Extract(layer, &buf); err != nil {
		t.Fatal(err)
	}
	v := make([]byte, 16)
	if _, err := unix.Lgetxattr(filepath.Join(layer, "f"), "trusted.overlay.redirect", v); err == nil {
		t.Errorf("a trusted.overlay xattr was written")
	}
	if n, err := unix.Lgetxattr(filepath.Join(layer, "f"), "user.ok", v); err != nil || string(v[:n]) != "1" {
		t.Errorf("user xattr = %q, %v", v[:n], err)
	}
}
