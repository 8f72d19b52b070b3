package image

import (
	"archive/tar"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// UnpackLayer makes the layer whose uncompressed digest is diffID
// available as <LayerDir>/rootfs. Under the layer's lock it returns early
// when the layer is already there (unpacked = false); otherwise it opens the
// uncompressed tar stream, extracts it into a temporary directory while
// hashing it, and renames the directory into place only if the stream
// hashed to diffID. The caller opens the stream from a verified blob.
func (s *Store) UnpackLayer(diffID string, open func() (io.ReadCloser, error)) (unpacked bool, err error) {
	dst, err := s.LayerDir(diffID)
	if err != nil {
		return false, err
	}
	unlock, err := s.Lock("layer-" + diffID)
	if err != nil {
		return false, err
	}
	defer unlock()
	if exists(dst) {
		return false, nil
	}
	rc, err := open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	limited, err := LimitLayer(rc)
	if err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(s.dir("tmp"), "layer-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp) // no-op once renamed; removes a partial layer
	h := sha256.New()
	stream := io.TeeReader(limited, h)
	size, err := Extract(filepath.Join(tmp, "rootfs"), stream)
	if err == nil {
		_, err = io.Copy(io.Discard, stream)
	}
	if tooLarge := (*LayerTooLargeError)(nil); errors.As(err, &tooLarge) {
		return false, fmt.Errorf("layer %s: %w", diffID, tooLarge) // which entry it was does not matter
	}
	if err != nil {
		return false, fmt.Errorf("layer %s: %w", diffID, err)
	}
	if got := digestOf(h); got != diffID {
		return false, fmt.Errorf("layer %s: %w", diffID, &DigestMismatchError{Want: diffID, Got: got})
	}
	if err := os.WriteFile(filepath.Join(tmp, "size"), []byte(strconv.FormatInt(size, 10)+"\n"), 0o644); err != nil {
		return false, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return false, fmt.Errorf("layer %s: %w", diffID, err)
	}
	return true, nil
}

// Extract unpacks an uncompressed layer tar into dir (created, must not
// exist) as an overlayfs lower layer:
//
//   - every entry is created relative to a handle on dir; parent paths are
//     resolved inside dir (filepath-securejoin's pathrs-lite, openat2
//     RESOLVE_IN_ROOT): "..", absolute names and symlinks in parent paths
//     all stay inside; the last component is never followed;
//   - symlinks are kept as they are (never followed while extracting);
//     hard links must name an entry inside dir;
//   - ".wh.NAME" becomes an overlay whiteout (a 0/0 character device NAME),
//     ".wh..wh..opq" marks its directory opaque (trusted.overlay.opaque=y);
//   - device nodes are skipped; FIFOs are created;
//   - owners, permissions (with setuid/setgid/sticky), mtimes and the
//     user.*, security.capability and POSIX ACL xattrs are kept (trusted.*
//     never: a layer must not forge overlay metadata).
//
// It returns the bytes of regular file content written.
func Extract(dir string, r io.Reader) (int64, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, err
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", dir, err)
	}
	x := &extractor{root: os.NewFile(uintptr(fd), dir), dirs: map[string]*os.File{}}
	defer x.close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return x.size, fmt.Errorf("read layer: %w", err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return x.size, fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
	}
	return x.size, x.finishDirs()
}

type extractor struct {
	root     *os.File
	dirs     map[string]*os.File // resolved parent directories (O_PATH)
	dirTimes []*tar.Header       // directories get their times last
	size     int64
}

func (x *extractor) close() {
	x.forget()
	x.root.Close()
}

// forget drops the cached parent handles: called whenever an entry replaces
// something, since a directory may have become a symlink.
func (x *extractor) forget() {
	for _, f := range x.dirs {
		f.Close()
	}
	clear(x.dirs)
}

// parent returns a handle on directory p (cleaned, absolute inside the
// layer), creating missing directories inside the layer.
func (x *extractor) parent(p string) (*os.File, error) {
	if p == "/" {
		return x.root, nil
	}
	if f, ok := x.dirs[p]; ok {
		return f, nil
	}
	f, err := pathrs.MkdirAllHandle(x.root, p, 0o755)
	if err != nil {
		return nil, err
	}
	x.dirs[p] = f
	return f, nil
}

func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	p := path.Clean("/" + hdr.Name)
	if p == "/" {
		return nil // the layer root itself keeps the store's mode
	}
	dir, base := path.Split(p)
	pd, err := x.parent(path.Clean(dir))
	if err != nil {
		return err
	}
	pfd := int(pd.Fd())
	if strings.HasPrefix(base, ".wh.") {
		return x.whiteout(pd, base)
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.mkdir(pfd, base, hdr)
	case tar.TypeReg, tar.TypeRegA:
		return x.file(pfd, base, hdr, r)
	case tar.TypeSymlink:
		if err := x.replace(pfd, base, false); err != nil {
			return err
		}
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return err
		}
		return x.meta(pfd, base, hdr, false)
	case tar.TypeLink:
		return x.hardlink(pfd, base, hdr)
	case tar.TypeFifo:
		if err := x.replace(pfd, base, false); err != nil {
			return err
		}
		if err := unix.Mknodat(pfd, base, unix.S_IFIFO|0o600, 0); err != nil {
			return err
		}
		return x.meta(pfd, base, hdr, true)
	default:
		return nil // device nodes and unknown types are skipped
	}
}

// whiteout turns ".wh.NAME" into an overlay whiteout and ".wh..wh..opq"
// into an opaque directory.
func (x *extractor) whiteout(pd *os.File, base string) error {
	if base == ".wh..wh..opq" {
		f, err := pathrs.Reopen(pd, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
		if err != nil {
			return err
		}
		defer f.Close()
		return unix.Fsetxattr(int(f.Fd()), "trusted.overlay.opaque", []byte("y"), 0)
	}
	name := strings.TrimPrefix(base, ".wh.")
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("invalid whiteout")
	}
	pfd := int(pd.Fd())
	if err := x.replace(pfd, name, false); err != nil {
		return err
	}
	return unix.Mknodat(pfd, name, unix.S_IFCHR, 0)
}

// replace removes what is at pfd/name, except a directory when keepDir
// (a directory entry over a directory merges, as in docker). It reports
// nothing; the entry is gone or is a directory to keep afterwards.
func (x *extractor) replace(pfd int, name string, keepDir bool) error {
	var st unix.Stat_t
	err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	if isDir && keepDir {
		return nil
	}
	x.forget()
	if !isDir {
		return unix.Unlinkat(pfd, name, 0)
	}
	// os.RemoveAll works with openat and O_NOFOLLOW below the (trusted)
	// parent handle, so it never leaves the layer.
	return os.RemoveAll(fmt.Sprintf("/proc/self/fd/%d/%s", pfd, name))
}

func (x *extractor) mkdir(pfd int, base string, hdr *tar.Header) error {
	if err := x.replace(pfd, base, true); err != nil {
		return err
	}
	if err := unix.Mkdirat(pfd, base, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return err
	}
	fd, err := unix.Openat(pfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := fdMeta(fd, hdr); err != nil {
		return err
	}
	x.dirTimes = append(x.dirTimes, hdr)
	return nil
}

func (x *extractor) file(pfd int, base string, hdr *tar.Header, r io.Reader) error {
	if err := x.replace(pfd, base, false); err != nil {
		return err
	}
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	n, err := io.Copy(f, r)
	x.size += n
	if err != nil {
		return err
	}
	if err := fdMeta(fd, hdr); err != nil {
		return err
	}
	return setTimes(pfd, base, hdr)
}

func (x *extractor) hardlink(pfd int, base string, hdr *tar.Header) error {
	target := path.Clean("/" + hdr.Linkname)
	tdir, tbase := path.Split(target)
	if tbase == "" {
		return fmt.Errorf("hard link to the layer root")
	}
	td, err := pathrs.OpenatInRoot(x.root, path.Clean(tdir))
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	defer td.Close()
	if err := x.replace(pfd, base, false); err != nil {
		return err
	}
	// flags 0: a symlink target is linked itself, never followed.
	return unix.Linkat(int(td.Fd()), tbase, pfd, base, 0)
}

// meta sets owner, mode (unless a symlink) and times of pfd/name.
func (x *extractor) meta(pfd int, name string, hdr *tar.Header, chmod bool) error {
	if err := unix.Fchownat(pfd, name, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if chmod {
		if err := unix.Fchmodat(pfd, name, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return err
		}
	}
	return setTimes(pfd, name, hdr)
}

// fdMeta sets owner, then mode (chown clears setuid), then xattrs.
func fdMeta(fd int, hdr *tar.Header) error {
	if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
		return err
	}
	if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
		return err
	}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || !keepXattr(name) {
			continue
		}
		if err := unix.Fsetxattr(fd, name, []byte(v), 0); err != nil && !errors.Is(err, unix.ENOTSUP) {
			return fmt.Errorf("xattr %s: %w", name, err)
		}
	}
	return nil
}

func keepXattr(name string) bool {
	return strings.HasPrefix(name, "user.") || name == "security.capability" ||
		name == "system.posix_acl_access" || name == "system.posix_acl_default"
}

func setTimes(pfd int, name string, hdr *tar.Header) error {
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(pfd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// finishDirs sets directory times once nothing is created in them anymore.
func (x *extractor) finishDirs() error {
	for _, hdr := range x.dirTimes {
		p := path.Clean("/" + hdr.Name)
		dir, base := path.Split(p)
		pd, err := pathrs.OpenatInRoot(x.root, path.Clean(dir))
		if err != nil {
			continue // replaced by a later entry
		}
		err = setTimes(int(pd.Fd()), base, hdr)
		pd.Close()
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return err
		}
	}
	return nil
}
