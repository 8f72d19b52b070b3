package store

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/minipod/minipod/pkg/podspec"
)

// ClaimDir is where claim c's volume lives: named after the claim and its
// UID, as a local-path provisioner names them, so a claim deleted and made
// again starts empty.
func (s Store) ClaimDir(c *podspec.PersistentVolumeClaim) (string, error) {
	if !podspec.IsUID(c.UID) {
		return "", fmt.Errorf("claim %s has no valid uid %q", c.Name, c.UID)
	}
	if _, err := s.path(Claims, c.Namespace, c.Name); err != nil {
		return "", err
	}
	return filepath.Join(s.roots.Data, "volumes", "pvc-"+c.UID+"_"+c.Namespace+"_"+c.Name), nil
}

// BindClaim returns the directory of the claim's volume, made (world
// writable, as a local-path provisioner makes it) on its first use. It
// holds the node lock, so a claim is never deleted under a pod binding it.
func (s Store) BindClaim(ns, name string) (string, error) {
	lock, err := s.roots.LockNode()
	if err != nil {
		return "", err
	}
	defer lock.Close()
	c, err := s.Claim(ns, name)
	if err != nil {
		return "", err
	}
	dir, err := s.ClaimDir(c)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return "", fmt.Errorf("create volume of claim %s: %w", name, err)
	}
	err = os.Mkdir(dir, 0o777)
	if os.IsExist(err) {
		return dir, nil
	}
	if err != nil {
		return "", fmt.Errorf("create volume of claim %s: %w", name, err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { // past the umask
		return "", fmt.Errorf("create volume of claim %s: %w", name, err)
	}
	return dir, nil
}
