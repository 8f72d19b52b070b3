package cgroups

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Holds reports whether process pid is in the placement's cgroup (its
// unified one, else the first v1 hierarchy's): what a container's start
// or exec reported as its command's PID must be there, not a process of
// another container that a tracer named. A placement with no cgroup
// holds every process.
func (p *Placement) Holds(pid int) (bool, error) {
	var f *os.File
	var err error
	switch {
	case p == nil:
		return true, nil
	case p.dir != nil:
		var fd int
		fd, err = unix.Openat(int(p.dir.Fd()), "cgroup.procs", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			f = os.NewFile(uintptr(fd), filepath.Join(p.dir.Name(), "cgroup.procs"))
		}
	case len(p.tasks) > 0:
		f, err = os.Open(filepath.Join(filepath.Dir(p.tasks[0].Name()), "cgroup.procs"))
	default:
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the processes of a cgroup: %w", err)
	}
	defer f.Close()
	want := strconv.Itoa(pid)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() == want {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return false, nil
}
