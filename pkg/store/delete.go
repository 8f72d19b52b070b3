package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/minipod/minipod/pkg/podspec"
)

// Delete removes one object. A claim goes with its volume's data, and not
// while a pod uses it: inUse, called under the node lock that pods take to
// bind a claim, names such a pod.
func (s Store) Delete(k Kind, ns, name string, inUse func() (string, error)) error {
	p, err := s.path(k, ns, name)
	if err != nil {
		return err
	}
	lock, err := s.roots.LockNode()
	if err != nil {
		return err
	}
	defer lock.Close()
	if k != Claims {
		return remove(k, name, p)
	}
	c, err := s.Claim(ns, name)
	if err != nil {
		return err
	}
	pod, err := inUse()
	if err != nil {
		return err
	}
	if pod != "" {
		// The API server's pvc-protection finalizer keeps it until then.
		return fmt.Errorf("persistentvolumeclaim %q is used by pod %q: delete the pod first", name, pod)
	}
	dir, err := s.ClaimDir(c)
	if err != nil {
		return err
	}
	if err := remove(k, name, p); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove volume of claim %s: %w", name, err)
	}
	return nil
}

func remove(k Kind, name, path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return podspec.Missing("%s %q not found", k.Plural, name)
	}
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", k.Name, name, err)
	}
	return nil
}
