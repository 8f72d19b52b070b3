package cgroups

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	lib "github.com/opencontainers/cgroups"
)

// JoinProcess moves the whole calling process into the unified (v2)
// cgroup of the placement and returns how to move it back to where it
// was. It is for `exec`, which forks the user's command from a thread
// that already carries the container's seccomp filter: the default
// profile answers clone3 with ENOSYS, so CLONE_INTO_CGROUP is out, and
// cgroup v2 moves only whole processes. The command, forked while the
// process is inside, stays there. Without a unified cgroup it does
// nothing.
func (p *Placement) JoinProcess() (leave func() error, err error) {
	if p.dir == nil {
		return func() error { return nil }, nil
	}
	target := p.dir.Name()
	back, err := ownUnifiedDir(target)
	if err != nil {
		return nil, err
	}
	self := strconv.Itoa(os.Getpid())
	visits.RLock()
	leave = visit(func() error {
		if err := lib.WriteFile(back, "cgroup.procs", self); err != nil {
			return fmt.Errorf("return to cgroup %s: %w", back, err)
		}
		return nil
	})
	if err := lib.WriteFile(target, "cgroup.procs", self); err != nil {
		_ = leave()
		return nil, fmt.Errorf("join cgroup %s: %w", target, err)
	}
	return leave, nil
}

// ownUnifiedDir is the directory of the calling process's own v2 cgroup,
// in the cgroup2 mount that holds target.
func ownUnifiedDir(target string) (string, error) {
	own, err := ownUnifiedPath()
	if err != nil {
		return "", err
	}
	mount, err := cgroup2MountOf(target)
	if err != nil {
		return "", err
	}
	return filepath.Join(mount, own), nil
}

// ownUnifiedPath reads the "0::PATH" line of /proc/self/cgroup.
func ownUnifiedPath() (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("read own cgroup: %w", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "0::"); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("read own cgroup: no unified hierarchy line")
}

// cgroup2MountOf finds the cgroup2 mount point that dir lies under.
func cgroup2MountOf(dir string) (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("find cgroup2 mount: %w", err)
	}
	defer f.Close()
	best := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := indexOf(fields, "-")
		if sep < 0 || sep+1 >= len(fields) || len(fields) < 5 || fields[sep+1] != "cgroup2" {
			continue
		}
		m := fields[4]
		if (dir == m || strings.HasPrefix(dir, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	if best == "" {
		return "", fmt.Errorf("find cgroup2 mount of %s: none", dir)
	}
	return best, nil
}

func indexOf(fields []string, s string) int {
	for i, f := range fields {
		if f == s {
			return i
		}
	}
	return -1
}
