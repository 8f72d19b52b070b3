package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Create claims a pod name by creating its run directory and returns the
// pod's lock, held: mkdir(2) is atomic, so of two concurrent `up` of one
// name exactly one wins, and the lock (handed to the monitor) tells a
// creation in progress from one abandoned by an `up` that died.
func (r Roots) Create(pod string) (*os.File, error) {
	if err := ValidName(pod); err != nil {
		return nil, err
	}
	// Root only: pod directories hold manifests, bundles (with every
	// container's environment) and state.
	err := r.mkdirInMemory(pod)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("pod %q: %w (remove it with: minipod down %s)", pod, ErrExist, pod)
	}
	if err != nil {
		return nil, fmt.Errorf("create pod dir %s: %w", pod, err)
	}
	// The lock file is born with the directory and never re-created, so a
	// `down` racing the monitor's removal cannot lock a fresh inode.
	f, err := os.OpenFile(r.LockFile(pod), os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create lock of %s: %w", pod, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			// A `down` of this name took the lock between our creating the
			// file and locking it: it deletes what we made.
			return nil, fmt.Errorf("pod %s was deleted while it started", pod)
		}
		return nil, fmt.Errorf("lock %s: %w", pod, err)
	}
	return f, nil
}

// mkdirInMemory makes the pod's run directory in memory: `network reset`
// may unmount the run root's tmpfs between SecureRun and the mkdir (no
// lock orders them), and a directory made then, on the disk beneath,
// would hold the pod's environments. It is removed and made again.
func (r Roots) mkdirInMemory(pod string) error {
	for tries := 0; ; tries++ {
		if err := r.SecureRun(); err != nil {
			return err
		}
		err := os.Mkdir(r.PodRun(pod), 0o700)
		if err != nil || tries == 3 || os.Geteuid() != 0 || inMemory(r.PodRun(pod)) {
			return err
		}
		_ = os.Remove(r.PodRun(pod))
	}
}

// abandonAfter is how old a pod directory without a monitor and without
// state must be to count as abandoned: `up` holds the lock from the
// moment after it made the directory, so only that instant is unguarded.
const abandonAfter = 2 * time.Second

// Stale tells whether pod's directory has no state record and is not
// just made: a creation whose `up` died before handing the pod to its
// monitor (which records the pod at once), or one being reclaimed.
func (r Roots) Stale(pod string) bool {
	if _, err := os.Stat(r.StateFile(pod)); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	fi, err := os.Stat(r.PodRun(pod))
	return err == nil && time.Since(fi.ModTime()) >= abandonAfter
}

// Reclaim takes the lock of pod's directory if it is an abandoned creation
// (Stale, and nobody holding its lock), checking under the lock that the
// lock file is still the one at its path: a reclaimer whose directory was
// removed and made again by someone else meanwhile must not remove the new
// pod. The lock is nil when there is no lock file (an `up` that died inside
// Create). ok is false when the directory is not abandoned, or someone else
// holds it (another reclaimer, or a live creation).
func (r Roots) Reclaim(pod string) (lock *os.File, ok bool) {
	if !r.Stale(pod) {
		return nil, false
	}
	f, err := r.Lock(pod)
	if err != nil {
		return nil, errors.Is(err, fs.ErrNotExist) && r.Stale(pod)
	}
	var held, now unix.Stat_t
	if unix.Fstat(int(f.Fd()), &held) != nil || unix.Stat(r.LockFile(pod), &now) != nil ||
		held.Dev != now.Dev || held.Ino != now.Ino || !r.Stale(pod) {
		f.Close()
		return nil, false
	}
	return f, true
}

// Remove deletes every file minipod keeps for the pod outside the log tree.
func (r Roots) Remove(pod string) error {
	if err := ValidName(pod); err != nil {
		return err
	}
	var errs []error
	for _, dir := range []string{r.PodData(pod), r.PodRun(pod)} {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", dir, err))
		}
	}
	return errors.Join(errs...)
}

// SecureData creates the data tree readable by root only. Containers run
// as root with CAP_FSETID: their writable layers and volumes hold whatever
// setuid-root files they make, and images may ship some, so no other user
// of the host may reach them (docker's /var/lib/docker is 0710, the
// kubelet's 0750, podman's 0700).
func (r Roots) SecureData() error {
	if err := os.MkdirAll(r.Data, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", r.Data, err)
	}
	if err := os.Chmod(r.Data, 0o700); err != nil {
		return fmt.Errorf("secure %s: %w", r.Data, err)
	}
	return nil
}
