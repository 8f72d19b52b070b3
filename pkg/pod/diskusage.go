package pod

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
)

// diskUsage is what the files below dir take on disk (allocated blocks,
// each inode once), as du counts and the kubelet's eviction measures a
// container's writable layer, logs and emptyDir volumes. Links are not
// followed; files that vanish meanwhile are skipped (the container keeps
// writing while we count).
func diskUsage(dir string) (int64, error) {
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		id := inode{uint64(st.Dev), st.Ino}
		if !seen[id] {
			seen[id] = true
			total += st.Blocks * 512
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	return total, err
}
