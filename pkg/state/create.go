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
	if err := os.MkdirAll(r.Run, 0o711); err != nil {
		return fmt.Errorf("create %s: %w", r.Run, err)
	}
	err := os.Mkdir(r.PodRun(pod), 0o711)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pod %q: %w (remove it with: minipod down %s)", pod, ErrExist, pod)
	}
	if err != nil {
		return fmt.Errorf("create pod dir %s: %w", pod, err)
	}
	return nil
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
