package mounts

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMkdirAllOwned: with a user namespace's root to own what init
// creates, mkdirAll gives it exactly the directories it made (not the
// parent that was there, nor what a symlink on the way leads to), follows
// an existing symlink inside the root, and makes nothing through a
// dangling one.
func TestMkdirAllOwned(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown") // CI runs it as root
	}
	const owner = 123456
	newOwner = owner
	t.Cleanup(func() { newOwner = 0 })
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	must(t, os.MkdirAll(root+"/have/target", 0o755))
	must(t, os.Symlink("/have/target", root+"/link"))
	must(t, os.Symlink("/made-by-link", root+"/have/dangling"))
	rootF, err := os.Open(root)
	must(t, err)
	defer rootF.Close()
	uid := func(p string) int {
		t.Helper()
		var st syscall.Stat_t
		must(t, syscall.Lstat(filepath.Join(root, p), &st))
		return int(st.Uid)
	}

	h, err := mkdirAll(rootF, "have/a/b")
	must(t, err)
	h.Close()
	for p, want := range map[string]int{"have": 0, "have/a": owner, "have/a/b": owner} {
		if got := uid(p); got != want {
			t.Errorf("%s owned by %d, want %d", p, got, want)
		}
	}
	h, err = mkdirAll(rootF, "link/c")
	must(t, err)
	h.Close()
	if uid("have/target/c") != owner || uid("have/target") != 0 || uid("link") != 0 {
		t.Errorf("through a symlink: target/c %d, target %d, link %d; want only c owned", uid("have/target/c"), uid("have/target"), uid("link"))
	}
	// pathrs-lite refuses to make a dangling symlink's target, with or
	// without an owner; nothing is made or owned through it.
	if h, err := mkdirAll(rootF, "have/dangling/d"); err == nil {
		h.Close()
		t.Errorf("mkdir through a dangling symlink succeeded")
	}
	if _, err := os.Lstat(root + "/made-by-link"); err == nil {
		t.Errorf("a dangling symlink's target was made")
	}
}

// TestOwnHandleOnlyWhatInitMade: what is owned by the host's root (made
// by init) is given to the pod's root; a directory of anyone else, which
// a container could have renamed into the place of one init made, is
// left as it is.
func TestOwnHandleOnlyWhatInitMade(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown") // CI runs it as root
	}
	newOwner = 123456
	t.Cleanup(func() { newOwner = 0 })
	dir := t.TempDir()
	for name, uid := range map[string]int{"made": 0, "renamed": 4242} {
		p := filepath.Join(dir, name)
		must(t, os.Mkdir(p, 0o755))
		must(t, os.Chown(p, uid, uid))
		h, err := os.OpenFile(p, unix.O_PATH, 0)
		must(t, err)
		must(t, ownHandle(h, name))
		h.Close()
		var st syscall.Stat_t
		must(t, syscall.Stat(p, &st))
		want := uint32(123456)
		if uid != 0 {
			want = uint32(uid)
		}
		if st.Uid != want {
			t.Errorf("%s (uid %d) owned by %d after ownHandle, want %d", name, uid, st.Uid, want)
		}
	}
}
