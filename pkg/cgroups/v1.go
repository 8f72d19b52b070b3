package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	lib "github.com/opencontainers/cgroups"
)

// v1Controllers are the cgroup v1 hierarchies minipod puts pods in: those
// that confine or limit (devices, memory, pids, cpu, cpuacct, hugetlb,
// blkio) and freezer, which lets a pod be killed without a race against
// fork. Others (cpuset, net_cls, perf_event, named hierarchies such as
// systemd's, the unified one of a hybrid host) limit nothing minipod sets,
// and every extra hierarchy costs a mkdir, writes and an rmdir per cgroup.
var v1Controllers = []string{"devices", "memory", "pids", "cpu", "cpuacct", "freezer", "hugetlb", "blkio"}

// v1Roots finds, once per process, where each of v1Controllers is mounted.
// A missing devices hierarchy is an error: without it containers could
// open any device node they make.
var v1Roots = sync.OnceValues(func() (map[string]string, error) {
	roots := map[string]string{}
	for _, c := range v1Controllers {
		mnt, err := lib.FindCgroupMountpoint("/sys/fs/cgroup", c)
		if err != nil {
			if errors.Is(err, lib.NewNotFoundError(c)) || lib.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("find cgroup v1 %s hierarchy: %w", c, err)
		}
		roots[c] = mnt
	}
	if roots["devices"] == "" {
		return nil, errors.New("find cgroup v1 devices hierarchy: not mounted; minipod needs it to keep containers from host devices")
	}
	return roots, nil
})

// v1Dirs are the directories of the cgroup at path in each hierarchy.
func v1Dirs(path string) (Dirs, error) {
	roots, err := v1Roots()
	if err != nil {
		return nil, err
	}
	d := Dirs{}
	for c, root := range roots {
		d[c] = filepath.Join(root, path)
	}
	return d, nil
}
