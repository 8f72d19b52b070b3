package cgroups

import (
	"fmt"
	"io/fs"

	lib "github.com/opencontainers/cgroups"
	libfs "github.com/opencontainers/cgroups/fs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Update changes the limits of the existing cgroup at path to those res
// sets; a limit res leaves out keeps its value, and device rules are
// never changed (they are set once, by Create). It is how the pod's
// cgroup gets the sum of its containers' limits, and how a container is
// resized in place.
//
// The kernel checks some limits against the cgroup's state: a memory
// limit below what the cgroup uses fails on v1 once reclaim cannot get
// under it (on v2 the kernel reclaims and then OOM-kills instead), and
// on v1 a container's CFS quota may not exceed its pod's (per period).
// So, as the kubelet does, grow the pod's cgroup before its containers'
// and shrink it after them.
func (d Driver) Update(path string, res *specs.LinuxResources) error {
	dirs, err := d.Resolve(path)
	if err != nil {
		return err
	}
	if err := d.update(dirs, res); err != nil {
		return fmt.Errorf("update cgroup %s: %w", path, err)
	}
	return nil
}

func (d Driver) update(dirs Dirs, res *specs.LinuxResources) error {
	if dir := anyDir(dirs); !exists(dir) {
		return &fs.PathError{Op: "update", Path: dir, Err: fs.ErrNotExist}
	}
	if d.V2 {
		return d.setV2(dirs[""], res, false)
	}
	r, err := d.settings(res, dirs, false)
	if err != nil {
		return err
	}
	m, err := libfs.NewManager(&lib.Cgroup{Resources: r}, dirs)
	if err != nil {
		return err
	}
	return m.Set(r)
}
