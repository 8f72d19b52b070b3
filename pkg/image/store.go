package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Store is the content-addressed OCI image store. It lives in the "_oci"
// directory of the images root, a name no <repository>/<tag> directory image
// can take (repository components never start with '_'):
//
//	_oci/blobs/sha256/<hex>               every blob, verified by digest
//	_oci/layers/sha256/<diffid>/rootfs    each layer unpacked once
//	_oci/refs/<escaped reference>         reference -> manifest (JSON)
//	_oci/locks/                           flock files (store, blobs, layers)
//	_oci/tmp/                             partial downloads and unpacks
//
// Everything is created under a temporary name in tmp/ and renamed into
// place, so readers never see a partial blob, layer or reference.
type Store struct {
	Root string // the images root, e.g. /var/lib/minipod/images
}

// NewStore returns the store under the images root.
func NewStore(root string) *Store { return &Store{Root: root} }

func (s *Store) dir(parts ...string) string {
	return filepath.Join(append([]string{s.Root, "_oci"}, parts...)...)
}

// Init creates the store's directories.
func (s *Store) Init() error {
	for _, d := range []string{"blobs/sha256", "layers/sha256", "refs", "locks", "tmp"} {
		if err := os.MkdirAll(s.dir(d), 0o755); err != nil {
			return fmt.Errorf("image store: %w", err)
		}
	}
	if err := os.Chmod(s.dir("tmp"), 0o700); err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	// Layers may hold setuid-root files: only root may reach them.
	return os.Chmod(s.Root, 0o700)
}

// hexOf validates a "sha256:<hex>" digest and returns the hex part.
func hexOf(d string) (string, error) {
	if !validDigest(d) {
		return "", fmt.Errorf("invalid digest %q (want sha256:<64 lower-case hex digits>)", d)
	}
	return d[len("sha256:"):], nil
}

// BlobPath is where the blob with digest d is kept.
func (s *Store) BlobPath(d string) (string, error) {
	h, err := hexOf(d)
	if err != nil {
		return "", err
	}
	return s.dir("blobs", "sha256", h), nil
}

// HasBlob reports whether the blob is in the store.
func (s *Store) HasBlob(d string) bool {
	p, err := s.BlobPath(d)
	if err != nil {
		return false
	}
	_, err = os.Lstat(p)
	return err == nil
}

// DigestMismatchError is returned when content does not hash to the digest
// it was fetched by.
type DigestMismatchError struct {
	Want, Got string
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("digest mismatch: expected %s, content is %s", e.Want, e.Got)
}

// WriteBlob copies r into the store as the blob d. The content is hashed
// while it is written to a temporary file and renamed into place only when
// the digest (and size, if size >= 0) match: no unverified byte is ever
// visible under blobs/. A blob already present is left alone.
func (s *Store) WriteBlob(d string, size int64, r io.Reader) error {
	dst, err := s.BlobPath(d)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	f, err := os.CreateTemp(s.dir("tmp"), "blob-")
	if err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	defer os.Remove(f.Name()) // no-op once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob %s: %w", d, err)
	}
	if got := digestOf(h); got != d {
		return fmt.Errorf("blob %s: %w", d, &DigestMismatchError{Want: d, Got: got})
	}
	if size >= 0 && n != size {
		return fmt.Errorf("blob %s: size %d, the manifest says %d", d, n, size)
	}
	if err := os.Chmod(f.Name(), 0o444); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}

// PutBlob stores data and returns its digest.
func (s *Store) PutBlob(data []byte) (string, error) {
	d := Digest(data)
	return d, s.WriteBlob(d, int64(len(data)), bytes.NewReader(data))
}

// ReadBlob reads a blob and checks it against its digest again: manifests
// and configs are small, and this catches a store damaged on disk.
func (s *Store) ReadBlob(d string) ([]byte, error) {
	p, err := s.BlobPath(d)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if got := Digest(data); got != d {
		return nil, fmt.Errorf("blob %s damaged in the store: %w", d, &DigestMismatchError{Want: d, Got: got})
	}
	return data, nil
}

// Digest is the sha256 digest of data.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func digestOf(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }

// Lock takes an exclusive flock named key in the store (a blob or layer
// digest, say) and returns its release. Separate processes and separate
// goroutines (each open has its own lock) exclude each other.
func (s *Store) Lock(key string) (func(), error) {
	return s.flock(strings.ReplaceAll(key, ":", "-"), unix.LOCK_EX)
}

// SharedLock is held by every writer (pull, load, import) for its whole
// run; PruneLock is the exclusive side, so garbage collection never deletes
// a blob a running pull has fetched but not yet referenced.
func (s *Store) SharedLock() (func(), error) { return s.flock("store", unix.LOCK_SH) }

func (s *Store) pruneLock() (func(), error) { return s.flock("store", unix.LOCK_EX) }

func (s *Store) flock(name string, how int) (func(), error) {
	if err := s.Init(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.dir("locks", name), os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("image store lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("image store lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}

// LayerDir is the directory of the unpacked layer with this diffID (its
// tree is LayerDir/rootfs).
func (s *Store) LayerDir(diffID string) (string, error) {
	h, err := hexOf(diffID)
	if err != nil {
		return "", err
	}
	return s.dir("layers", "sha256", h), nil
}

// HasLayer reports whether the layer is unpacked.
func (s *Store) HasLayer(diffID string) bool {
	d, err := s.LayerDir(diffID)
	if err != nil {
		return false
	}
	_, err = os.Lstat(filepath.Join(d, "rootfs"))
	return err == nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
