package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strconv"
	"strings"

	lib "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// OOMKills is how many processes of the cgroup the kernel's OOM killer
// has killed since the cgroup was created: v1 memory.oom_control's
// oom_kill (Linux 4.13 and later), v2 memory.events' oom_kill (which
// counts the members of a memory.oom.group kill one by one). The count
// follows the victim, whichever limit ran out: the container's, the
// pod's, or the node's memory.
//
// It tells an OOM kill from any other SIGKILL, which an exit status
// cannot: read it before a container's process starts and again after it
// was reaped; if it grew, the container was OOMKilled (the kubelet's
// reason), even if its process exited with a status other than 137,
// because the victim was another of its processes. The kernel counts the
// kill before it sends the signal, so the second read, after the reap,
// always sees it. The counter is per cgroup, not per process, so the
// count before the start is the baseline for every restart in the same
// cgroup.
//
// Without a memory controller for the cgroup (a v1 host without the
// memory hierarchy, a hybrid host's controller-less cgroup2 tree), or
// on a kernel without the counter, the error wraps errors.ErrUnsupported.
func OOMKills(d Dirs) (uint64, error) {
	dir, file := d["memory"], "memory.oom_control"
	if v2, ok := d[""]; ok && dir == "" {
		dir, file = v2, "memory.events"
	}
	if dir == "" {
		return 0, fmt.Errorf("read OOM kills: %w", errNoMemory)
	}
	n, err := keyedValue(dir, file, "oom_kill")
	if errors.Is(err, fs.ErrNotExist) && exists(dir) {
		err = errNoMemory // the directory is there, its memory files are not
	}
	if err != nil {
		return 0, fmt.Errorf("read OOM kills of cgroup %s: %w", dir, err)
	}
	return n, nil
}

var errNoMemory = fmt.Errorf("no memory controller: %w", errors.ErrUnsupported)

// keyedValue reads the value of key in a flat-keyed cgroup file ("key N"
// lines). A missing key is an error: the library's reader returns 0 for
// it, which for a counter would read as "never happened".
func keyedValue(dir, file, key string) (uint64, error) {
	data, err := lib.ReadFile(dir, file)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(data, "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %s: %w", file, key, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s has no %s (kernel too old): %w", file, key, errors.ErrUnsupported)
}

// OOMGroup returns res with memory.oom.group = 1 added, for a container's
// cgroup on v2 when the hierarchy offers the memory controller: an OOM
// kill then takes every process of the container, not only the largest,
// which is the kubelet's default. Use it for containers only: on the
// pod's cgroup one container's OOM would kill the whole pod, pause too.
// cgroup v1 has no such setting (the OOM killer takes one process), and
// without a v2 memory controller there is no v2 OOM kill to group: res
// comes back as it is then. res itself is never modified.
func (d Driver) OOMGroup(res *specs.LinuxResources) (*specs.LinuxResources, error) {
	if !d.V2 {
		return res, nil
	}
	have, err := d.controllers(Dirs{"": d.Mount})
	if err != nil {
		return nil, fmt.Errorf("read cgroup controllers of %s: %w", d.Mount, err)
	}
	if !have["memory"] {
		return res, nil
	}
	out := &specs.LinuxResources{}
	if res != nil {
		*out = *res
	}
	out.Unified = maps.Clone(out.Unified)
	if out.Unified == nil {
		out.Unified = map[string]string{}
	}
	out.Unified["memory.oom.group"] = "1"
	return out, nil
}
