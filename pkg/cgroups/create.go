package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lib "github.com/opencontainers/cgroups"
	libfs "github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	// Registers the device rule writers (v1 files, v2 eBPF) with the
	// library; without it the managers refuse device rules.
	_ "github.com/opencontainers/cgroups/devices"
)

// Dirs are the directories of one cgroup: by v1 controller name, and ""
// for the unified (v2) hierarchy.
type Dirs map[string]string

// Create makes the cgroup at path (and its parents) in the driver's
// hierarchy, applies res to it, and returns its directories. Creating a
// cgroup that exists re-applies res. On error nothing Create made is left.
func (d Driver) Create(path string, res *specs.LinuxResources) (Dirs, error) {
	r, err := resources(res, d.V2)
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", path, err)
	}
	cg := &lib.Cgroup{Path: path, Resources: r}
	if d.V2 {
		return d.createV2(cg)
	}
	return createV1(cg)
}

func createV1(cg *lib.Cgroup) (Dirs, error) {
	dirs, err := v1Dirs(cg.Path)
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", cg.Path, err)
	}
	m, err := libfs.NewManager(cg, dirs)
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", cg.Path, err)
	}
	if err := m.Apply(-1); err != nil {
		_ = lib.RemovePaths(m.GetPaths())
		return nil, fmt.Errorf("create cgroup %s: %w", cg.Path, err)
	}
	if err := m.Set(cg.Resources); err != nil {
		_ = lib.RemovePaths(m.GetPaths())
		return nil, fmt.Errorf("configure cgroup %s: %w", cg.Path, err)
	}
	return Dirs(m.GetPaths()), nil
}

func (d Driver) createV2(cg *lib.Cgroup) (Dirs, error) {
	dir := filepath.Join(d.Mount, cg.Path)
	made, err := mkdirV2(d.Mount, dir)
	if err != nil {
		removeMade(made)
		return nil, fmt.Errorf("create cgroup %s: %w", cg.Path, err)
	}
	if cg.Resources.SkipDevices {
		return Dirs{"": dir}, nil // nothing to set (devices are all there is yet)
	}
	m, err := fs2.NewManager(cg, dir)
	if err == nil {
		err = m.Set(cg.Resources)
	}
	if err != nil {
		removeMade(made)
		return nil, fmt.Errorf("configure cgroup %s: %w", cg.Path, err)
	}
	return Dirs{"": dir}, nil
}

// mkdirV2 creates dir below mount one level at a time, enabling in each
// parent every controller it has, so limits can be set below (runc does
// the same). It returns the directories it created, deepest last.
func mkdirV2(mount, dir string) ([]string, error) {
	rel, err := filepath.Rel(mount, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("%s is not below %s", dir, mount)
	}
	var made []string
	cur := mount
	for _, part := range strings.Split(rel, "/") {
		if err := enableControllers(cur); err != nil {
			return made, err
		}
		cur = filepath.Join(cur, part)
		err := os.Mkdir(cur, 0o755)
		switch {
		case err == nil:
			made = append(made, cur)
		case !errors.Is(err, fs.ErrExist):
			return made, err
		}
	}
	return made, nil
}

// enableControllers writes to dir's cgroup.subtree_control the controllers
// of cgroup.controllers it does not delegate yet.
func enableControllers(dir string) error {
	have, err := lib.ReadFile(dir, "cgroup.controllers")
	if err != nil {
		return err
	}
	on, err := lib.ReadFile(dir, "cgroup.subtree_control")
	if err != nil {
		return err
	}
	enabled := map[string]bool{}
	for _, c := range strings.Fields(on) {
		enabled[c] = true
	}
	var add []string
	for _, c := range strings.Fields(have) {
		if !enabled[c] {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return lib.WriteFile(dir, "cgroup.subtree_control", strings.Join(add, " "))
}

func removeMade(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		_ = os.Remove(made[i])
	}
}

// Resolve returns the directories of an existing cgroup at path.
func (d Driver) Resolve(path string) (Dirs, error) {
	if d.V2 {
		return Dirs{"": filepath.Join(d.Mount, path)}, nil
	}
	dirs, err := v1Dirs(path)
	if err != nil {
		return nil, fmt.Errorf("find cgroup %s: %w", path, err)
	}
	return dirs, nil
}
