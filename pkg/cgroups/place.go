package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Placement puts the next process forked by one OS thread into a cgroup,
// so the process is in it before it runs a single instruction of its own.
//
// cgroup v1 lets single threads move: JoinThread writes the calling
// thread's ID into every hierarchy's tasks file, and a child forked by
// that thread is born there. The thread must be one that is thrown away
// afterwards (package ns's locked threads are). cgroup v2 only moves whole
// processes, so the unified cgroup is entered at fork time instead, with
// clone3's CLONE_INTO_CGROUP on the directory fd from CgroupFD.
//
// The files are opened by Place, before the thread joins a container's
// mount namespace, where /sys/fs/cgroup is no longer the host's.
type Placement struct {
	tasks []*os.File
	dir   *os.File
}

// Place opens the cgroup dirs for placing a process.
func Place(d Dirs) (*Placement, error) {
	p := &Placement{}
	for ctrl, dir := range d {
		if ctrl == "" {
			f, err := os.OpenFile(filepath.Clean(dir), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				p.Close()
				return nil, fmt.Errorf("open cgroup %s: %w", dir, err)
			}
			p.dir = f
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, "tasks"), os.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("open cgroup %s: %w", dir, err)
		}
		p.tasks = append(p.tasks, f)
	}
	return p, nil
}

// JoinThread moves the calling OS thread into the v1 cgroups.
func (p *Placement) JoinThread() error {
	tid := []byte(strconv.Itoa(unix.Gettid()))
	for _, f := range p.tasks {
		if _, err := f.Write(tid); err != nil {
			return fmt.Errorf("join cgroup %s: %w", filepath.Dir(f.Name()), err)
		}
	}
	return nil
}

// CgroupFD is the unified cgroup to fork into (clone3 CLONE_INTO_CGROUP),
// if the driver has one.
func (p *Placement) CgroupFD() (int, bool) {
	if p.dir == nil {
		return 0, false
	}
	return int(p.dir.Fd()), true
}

// Close releases the opened files.
func (p *Placement) Close() error {
	var errs []error
	for _, f := range p.tasks {
		errs = append(errs, f.Close())
	}
	if p.dir != nil {
		errs = append(errs, p.dir.Close())
	}
	return errors.Join(errs...)
}
