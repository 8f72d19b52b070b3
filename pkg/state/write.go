package state

import (
	"fmt"
	"github.com/minipod/minipod/pkg/leanjson"
	"os"
	"path/filepath"
)

// WriteFile replaces path atomically: readers see the old or the new content,
// never a torn file, because rename(2) within a directory is atomic.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Only a write that failed leaves the temporary file to remove: after
	// the rename there is none (os.Remove would try unlink and rmdir).
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed = true
	return nil
}

// Save writes the pod's state.json atomically.
func (r Roots) Save(p *Pod) error {
	data, err := Encode(p)
	if err != nil {
		return err
	}
	return r.SaveEncoded(p.Name, data)
}

// Encode is the pod's state.json as Save writes it.
func Encode(p *Pod) ([]byte, error) { return AppendEncoded(nil, p) }

// AppendEncoded appends Encode's output to dst: the monitor encodes the
// record after every event of its loop, into a buffer it keeps.
func AppendEncoded(dst []byte, p *Pod) ([]byte, error) {
	data, err := leanjson.AppendIndent(dst, p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state of %s: %w", p.Name, err)
	}
	return data, nil
}

// SaveEncoded writes the state.json of pod from Encode, atomically.
func (r Roots) SaveEncoded(pod string, data []byte) error {
	// Root only: it names every process, address and volume of the pod.
	return WriteFile(r.StateFile(pod), data, 0o600)
}
