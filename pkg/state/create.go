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
	if err := os.MkdirAll(r.Run, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", r.Run, err)
	}
	if err := os.Chmod(r.Run, 0o700); err != nil {
		return nil, fmt.Errorf("secure %s: %w", r.Run, err)
	}
	err := os.Mkdir(r.PodRun(pod), 0o700)
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
		return nil, fmt.Errorf("lock %s: %w", pod, err)
	}
	return f, nil
}

// abandonAfter is how old a pod directory without a monitor and without
// state must be to count as abandoned: `up` holds the lock from the
// moment after it made the directory, so only that instant is unguarded.
const abandonAfter = 2 * time.Second

// Abandoned tells whether pod's directory is a creation that never got a
// monitor (its `up` died before starting one): no state record, nobody
// holding its lock, and not just made.
func (r Roots) Abandoned(pod string) bool {
	if _, err := os.Stat(r.StateFile(pod)); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	fi, err := os.Stat(r.PodRun(pod))
	if err != nil || time.Since(fi.ModTime()) < abandonAfter {
		return false
	}
	f, err := r.Lock(pod)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) // no lock file: up died inside Create
	}
	f.Close()
	return true
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
