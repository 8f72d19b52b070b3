package monitor

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The kubelet's volume ownership masks (pkg/volume SetVolumeOwnership).
const (
	rwMask   = 0o660
	roMask   = 0o440
	execMask = 0o110
)

// applyFSGroup gives a new volume to the pod's fsGroup as the kubelet
// does: every file's group becomes fsGroup, group read (and write, unless
// the volume is read-only) is added, and directories get group execute
// and the setgid bit, so files created later belong to fsGroup too. It
// runs once, when the volume is made, before any container can have put
// anything there; links are changed, never followed.
func applyFSGroup(dir string, gid int64, readOnly bool) error {
	mask := os.FileMode(rwMask)
	if readOnly {
		mask = roMask
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := unix.Lchown(path, -1, int(gid)); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := info.Mode().Perm() | mask
		if d.IsDir() {
			mode |= execMask | fs.ModeSetgid
		}
		return os.Chmod(path, mode|info.Mode()&(fs.ModeSetuid|fs.ModeSticky))
	})
	if err != nil {
		return fmt.Errorf("give volume to fsGroup %d: %w", gid, err)
	}
	return nil
}
