package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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
// hierarchy, applies res to it (device rules and limits, see settings),
// and returns its directories. Creating a cgroup that exists re-applies
// res. On error nothing Create made is left; a cgroup that existed stays.
func (d Driver) Create(path string, res *specs.LinuxResources) (Dirs, error) {
	var dirs Dirs
	var err error
	if d.V2 {
		dirs, err = d.createV2(path, res)
	} else {
		dirs, err = d.createV1(path, res)
	}
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", path, err)
	}
	return dirs, nil
}

func (d Driver) createV1(path string, res *specs.LinuxResources) (Dirs, error) {
	dirs, err := v1Dirs(path)
	if err != nil {
		return nil, err
	}
	r, err := d.settings(res, dirs, true)
	if err != nil {
		return nil, err
	}
	fresh := map[string]string{}
	for c, dir := range dirs {
		if !exists(dir) {
			fresh[c] = dir
		}
	}
	m, err := libfs.NewManager(&lib.Cgroup{Path: path, Resources: r}, dirs)
	if err == nil {
		err = m.Apply(-1)
	}
	if err == nil {
		err = m.Set(r)
	}
	if err != nil {
		_ = lib.RemovePaths(fresh)
		return nil, err
	}
	return dirs, nil
}

func (d Driver) createV2(path string, res *specs.LinuxResources) (Dirs, error) {
	dir := filepath.Join(d.Mount, path)
	made, err := mkdirV2(d.Mount, dir)
	if err == nil {
		err = d.setV2(dir, res, true)
	}
	if err != nil {
		removeMade(made)
		return nil, err
	}
	return Dirs{"": dir}, nil
}

// setV2 writes res to the v2 cgroup dir (device rules only if create).
func (d Driver) setV2(dir string, res *specs.LinuxResources, create bool) error {
	r, err := d.settings(res, Dirs{"": dir}, create)
	if err != nil {
		return err
	}
	if r.SkipDevices && len(needs(r)) == 0 {
		return nil // nothing to write: the common leaf costs only its mkdir
	}
	if err := fillCPUMax(dir, r); err != nil {
		return err
	}
	m, err := fs2.NewManager(&lib.Cgroup{Resources: r}, dir)
	if err != nil {
		return err
	}
	return m.Set(r)
}

// fillCPUMax completes a CFS quota or period given alone from cpu.max,
// which holds both: the library would write the default period (100 ms)
// with a quota, and no quota with a period, undoing an earlier setting.
func fillCPUMax(dir string, r *lib.Resources) error {
	if (r.CpuQuota == 0) == (r.CpuPeriod == 0) {
		return nil
	}
	cur, err := lib.ReadFile(dir, "cpu.max")
	if err != nil {
		return err
	}
	quota, period, ok := strings.Cut(strings.TrimSpace(cur), " ")
	if !ok {
		return fmt.Errorf("read %s/cpu.max: unexpected %q", dir, cur)
	}
	if r.CpuPeriod == 0 {
		p, err := strconv.ParseUint(period, 10, 64)
		if err != nil {
			return fmt.Errorf("read %s/cpu.max: %w", dir, err)
		}
		r.CpuPeriod = p
		return nil
	}
	r.CpuQuota = -1
	if quota != "max" {
		q, err := strconv.ParseInt(quota, 10, 64)
		if err != nil {
			return fmt.Errorf("read %s/cpu.max: %w", dir, err)
		}
		r.CpuQuota = q
	}
	return nil
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
