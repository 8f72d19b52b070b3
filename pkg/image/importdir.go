package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ImportDir turns a directory tree into a one-layer OCI image in the store
// and records it as ref, so tests and the demo need no registry. dir is
// either a tree, or a directory image's tag directory (dir/rootfs plus an
// optional dir/config.json holding the image config, as
// scripts/build-images.sh writes them). The layer is an uncompressed tar
// written in lexical order with the tree's owners, modes, times and
// xattrs: importing the same tree twice gives the same digests.
func ImportDir(root, dir, ref string) (*Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var cfg Config
	tree := dir
	if st, err := os.Stat(filepath.Join(dir, "rootfs")); err == nil && st.IsDir() {
		tree = filepath.Join(dir, "rootfs")
		data, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err == nil {
			err = json.Unmarshal(data, &cfg)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("import %s: config.json: %w", dir, err)
		}
	}
	return Import(root, tree, r, cfg)
}

// Import makes a one-layer image of tree with image config cfg and
// records it as r.
func Import(root, tree string, r Ref, cfg Config) (*Image, error) {
	s := NewStore(root)
	unlock, err := s.SharedLock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	layer, size, err := s.ingest(func(w io.Writer) error { return WriteTar(w, tree) })
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", tree, err)
	}
	blob, _ := s.BlobPath(layer)
	if _, err := s.UnpackLayer(layer, func() (io.ReadCloser, error) { return os.Open(blob) }); err != nil {
		return nil, fmt.Errorf("import %s: %w", tree, err)
	}
	cfgFile := ConfigFile{
		Architecture: runtime.GOARCH, OS: "linux", // no "created": same tree, same image
		Config: cfg, RootFS: RootFS{Type: "layers", DiffIDs: []string{layer}},
	}
	cfgData, err := json.Marshal(cfgFile)
	if err != nil {
		return nil, err
	}
	cfgDigest, err := s.PutBlob(cfgData)
	if err != nil {
		return nil, err
	}
	m := Manifest{
		SchemaVersion: 2, MediaType: MediaTypeOCIManifest,
		Config: Descriptor{MediaType: MediaTypeOCIConfig, Digest: cfgDigest, Size: int64(len(cfgData))},
		Layers: []Descriptor{{MediaType: MediaTypeOCILayer, Digest: layer, Size: size}},
	}
	mData, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	mDigest, err := s.PutBlob(mData)
	if err != nil {
		return nil, err
	}
	if err := s.Tag(r, mDigest, mDigest); err != nil {
		return nil, err
	}
	return Lookup(root, r.String())
}

// ingest stores what write produces as a blob named by its digest.
func (s *Store) ingest(write func(io.Writer) error) (digest string, size int64, err error) {
	if err := s.Init(); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(s.dir("tmp"), "blob-")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	err = write(cw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	digest = digestOf(h)
	dst, _ := s.BlobPath(digest)
	if exists(dst) {
		return digest, cw.n, nil
	}
	if err := os.Chmod(f.Name(), 0o444); err != nil {
		return "", 0, err
	}
	return digest, cw.n, os.Rename(f.Name(), dst)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteTar writes tree as a layer tar: entries in lexical order, names
// relative to tree, hard links as link entries, sockets left out, the
// xattrs Extract keeps, and no user or group names (ids only).
func WriteTar(w io.Writer, tree string) error {
	tw := tar.NewWriter(w)
	links := map[[2]uint64]string{}
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(tree, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSocket != 0 {
			return nil
		}
		var target string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, target)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uname, hdr.Gname, hdr.AccessTime, hdr.ChangeTime = "", "", time.Time{}, time.Time{}
		hdr.Format = tar.FormatPAX
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 {
			key := [2]uint64{st.Dev, st.Ino}
			if first, seen := links[key]; seen {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				links[key] = hdr.Name
			}
		}
		hdr.PAXRecords = xattrRecords(p)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyN(tw, f, hdr.Size)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// xattrRecords reads the xattrs Extract restores, as PAX records.
func xattrRecords(p string) map[string]string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n <= 0 {
		return nil
	}
	var recs map[string]string
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if !keepXattr(name) {
			continue
		}
		val := make([]byte, 64*1024)
		vn, err := unix.Lgetxattr(p, name, val)
		if err != nil {
			continue
		}
		if recs == nil {
			recs = map[string]string{}
		}
		recs["SCHILY.xattr."+name] = string(val[:vn])
	}
	return recs
}
