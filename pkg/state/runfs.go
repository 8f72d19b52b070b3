package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// SecureRun creates the run root readable by root only and makes sure it
// is in memory: it holds Secrets, pod manifests and every container's
// environment, which must never reach a disk. /run is a tmpfs on Debian
// and Ubuntu, so this is usually a check; where it is not (some VMs keep
// /run on the root disk), minipod mounts a tmpfs of its own on the run
// root, once, and it stays, like the bridge. The mount is made only on an
// empty root (or one holding the node lock file alone): never over pods.
func (r Roots) SecureRun() error {
	if err := os.MkdirAll(r.Run, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", r.Run, err)
	}
	if err := os.Chmod(r.Run, 0o700); err != nil {
		return fmt.Errorf("secure %s: %w", r.Run, err)
	}
	if inMemory(r.Run) || os.Geteuid() != 0 {
		// An unprivileged caller can neither mount nor run pods (unit
		// tests): only root's runs hold secrets.
		return nil
	}
	return r.mountRun()
}

// RunReady tells whether the run root is there and in memory, as
// SecureRun leaves it: a process whose mount namespace is copied now sees
// the run root every later command does.
func (r Roots) RunReady() bool { return inMemory(r.Run) }

func inMemory(path string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(path, &fs) == nil && (fs.Type == unix.TMPFS_MAGIC || fs.Type == unix.RAMFS_MAGIC)
}

// mountRun mounts the run root's tmpfs, serialised by a lock on the
// directory under it: of two commands racing here, the second finds the
// tmpfs made.
func (r Roots) mountRun() error {
	d, err := os.Open(r.Run)
	if err != nil {
		return fmt.Errorf("open %s: %w", r.Run, err)
	}
	defer d.Close()
	if err := unix.Flock(int(d.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", r.Run, err)
	}
	if inMemory(r.Run) {
		return nil
	}
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.Run, err)
	}
	for _, n := range names {
		if n != nodeLockName {
			return errors.New(r.Run + " is not on a tmpfs and holds pods made before: delete them (minipod down), then try again, so that Secrets and environments stay off the disk")
		}
	}
	// 10% of memory, as Debian sizes /run; nothing a container writes goes here.
	if err := unix.Mount(runSource, r.Run, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0700,size=10%"); err != nil {
		return fmt.Errorf("mount a tmpfs on %s: %w", r.Run, err)
	}
	return nil
}

// runSource names the tmpfs minipod mounts on the run root.
const runSource = "minipod-run"

// ReleaseRun unmounts the tmpfs minipod mounted on the run root, when
// nothing is in it but the node lock and empty object directories: no
// pod and no Secret (which would be lost). It is `network reset`'s, which
// removes what minipod leaves on the node between pods. It holds the node
// lock, which every writer of a Secret holds too; a pod being created
// without it checks where its directory landed (Create).
func (r Roots) ReleaseRun() error {
	if !r.ownRunMount() {
		return nil
	}
	lock, err := r.LockNode()
	if err != nil {
		return err
	}
	defer lock.Close()
	if held, err := r.holdsAnything(); err != nil || held {
		return err
	}
	if err := unix.Unmount(r.Run, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount %s: %w", r.Run, err)
	}
	return nil
}

// ownRunMount tells whether the run root is minipod's own tmpfs.
func (r Roots) ownRunMount() bool {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(l, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if ok && len(f) > 4 && len(g) > 1 && f[4] == r.Run && g[0] == "tmpfs" && g[1] == runSource {
			return true
		}
	}
	return false
}

// holdsAnything reports a file in the run root other than the node lock,
// directories aside.
func (r Roots) holdsAnything() (bool, error) {
	found := false
	err := filepath.WalkDir(r.Run, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && p != filepath.Join(r.Run, nodeLockName) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("look into %s: %w", r.Run, err)
	}
	return found, nil
}
