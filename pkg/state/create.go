package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Create claims a pod name by creating its run directory. mkdir(2) is atomic,
// so of two concurrent `up` of one name exactly one wins.
func (r Roots) Create(pod string) error {
	if err := ValidName(pod); err != nil {
		return err
	}
	// Root only: pod directories hold manifests, bundles (with every
	// container's environment) and state.
	if err := os.MkdirAll(r.Run, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", r.Run, err)
	}
	if err := os.Chmod(r.Run, 0o700); err != nil {
		return fmt.Errorf("secure %s: %w", r.Run, err)
	}
	err := os.Mkdir(r.PodRun(pod), 0o700)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pod %q: %w (remove it with: minipod down %s)", pod, ErrExist, pod)
	}
	if err != nil {
		return fmt.Errorf("create pod dir %s: %w", pod, err)
	}
	// The lock file is born with the directory and never re-created, so a
	// `down` racing the monitor's removal cannot lock a fresh inode.
	f, err := os.OpenFile(r.LockFile(pod), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create lock of %s: %w", pod, err)
	}
	return f.Close()
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
