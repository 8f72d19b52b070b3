package mounts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpenInRootStaysInRoot: what an image or a volume can plant (absolute
// and relative symlinks out, "..", magic links) resolves inside the root
// or not at all, and openDir creates what is missing there, not outside.
func TestOpenInRootStaysInRoot(t *testing.T) {
	dir := t.TempDir()
	root, outside := filepath.Join(dir, "root"), filepath.Join(dir, "outside")
	for _, d := range []string{root + "/etc", root + "/inside", outside + "/etc"} {
		must(t, os.MkdirAll(d, 0o755))
	}
	must(t, os.WriteFile(outside+"/etc/secret", nil, 0o644))
	must(t, os.Symlink(outside, root+"/abs"))             // the same path in the root, not the host's
	must(t, os.Symlink("../outside", root+"/rel"))        // ".." clamped at the root
	must(t, os.Symlink("/proc/self/root", root+"/magic")) // a magic link once /proc is there
	must(t, os.Symlink("/inside", root+"/dirlink"))
	rootF, err := os.Open(root)
	must(t, err)
	defer rootF.Close()

	for _, p := range []string{"abs/etc/secret", "rel/etc/secret", "../outside/etc/secret", "/../../outside/etc/secret"} {
		if h, err := OpenInRoot(rootF, p); err == nil {
			h.Close()
			t.Errorf("OpenInRoot(%q) opened something: only the host has that file", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenInRoot(%q) = %v, want not found", p, err)
		}
	}
	must(t, os.MkdirAll(root+"/proc/self", 0o755))
	must(t, os.Symlink("/", root+"/proc/self/root"))
	if h, err := OpenInRoot(rootF, "magic/etc"); err != nil {
		t.Errorf("openInRoot through a plain symlink named like a magic link: %v", err)
	} else {
		h.Close()
	}

	h, err := openDir(rootF, "dirlink/new/deeper")
	must(t, err)
	h.Close()
	if _, err := os.Stat(root + "/inside/new/deeper"); err != nil {
		t.Errorf("openDir through a symlink did not create inside the root: %v", err)
	}
	if h, err := openDir(rootF, "rel/made"); err == nil { // a dangling link in the root: refused, or made inside
		h.Close()
	}
	if _, err := os.Stat(outside + "/made"); err == nil {
		t.Errorf("openDir created a directory outside the root")
	}
	h, err = openDir(rootF, "dirlink/one")
	must(t, err)
	h.Close()
	if _, err := os.Stat(root + "/inside/one"); err != nil {
		t.Errorf("openDir of one missing level did not create it inside the root: %v", err)
	}
	must(t, os.Symlink(outside, root+"/inside/trap")) // the host's directory, were it followed
	if h, err := openDir(rootF, "inside/trap/made"); err == nil {
		h.Close()
	}
	if h, err := openDir(rootF, "inside/trap"); err == nil {
		var st, out unix.Stat_t
		must(t, unix.Fstat(int(h.Fd()), &st))
		must(t, unix.Stat(outside, &out))
		h.Close()
		if st.Ino == out.Ino && st.Dev == out.Dev {
			t.Errorf("openDir followed a symlink out of the root")
		}
	}
	if _, err := os.Stat(outside + "/made"); err == nil {
		t.Errorf("openDir created a directory outside the root through a symlink")
	}
	must(t, os.WriteFile(root+"/inside/file", nil, 0o644))
	if h, err := openDir(rootF, "inside/file"); err == nil {
		h.Close()
		t.Errorf("openDir of a regular file returned a handle")
	}
}

// TestOpenInRootRefusesMagicLinks: a real magic link on the way is refused
// (a container's /proc/self/root would lead to whatever the opener sees).
func TestOpenInRootRefusesMagicLinks(t *testing.T) {
	rootF, err := os.Open("/")
	must(t, err)
	defer rootF.Close()
	h, err := OpenInRoot(rootF, "/proc/self/root/etc")
	if err == nil {
		h.Close()
		t.Fatal("openInRoot followed /proc/self/root")
	}
	if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.EXDEV) {
		t.Errorf("openInRoot through a magic link = %v, want ELOOP or EXDEV", err)
	}
}
