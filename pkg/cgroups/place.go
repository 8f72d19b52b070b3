package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Placement puts the next process forked by one OS thread into a cgroup,
// so the process is in it before it runs a single instruction of its own.
//
// cgroup v1 lets single threads move: JoinThread moves the calling thread
// into every hierarchy's cgroup, a child forked by that thread is born
// there, and the thread moves back at once (the returned leave), so that
// no thread of the caller is ever left inside a container's cgroup, to be
// frozen or killed with it. cgroup v2 only moves whole processes, so the
// unified cgroup is entered at fork time instead, with clone3's
// CLONE_INTO_CGROUP on the directory fd from CgroupFD.
//
// The files are opened by Place, before the thread joins a container's
// mount namespace, where /sys/fs/cgroup is no longer the host's.
type Placement struct {
	tasks []*os.File // the target's, one per v1 hierarchy
	back  []*os.File // where the caller's thread was, same order
	dir   *os.File
}

// Place opens the cgroup dirs for placing a process.
func Place(d Dirs) (*Placement, error) {
	p := &Placement{}
	own, err := ownV1Cgroups()
	if err != nil {
		return nil, err
	}
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
		if err := p.addV1(ctrl, dir, own); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

func (p *Placement) addV1(ctrl, dir string, own map[string]string) error {
	to, err := os.OpenFile(filepath.Join(dir, "tasks"), os.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	roots, err := v1Roots()
	if err != nil {
		to.Close()
		return err
	}
	rel, ok := own[ctrl]
	if !ok || roots[ctrl] == "" {
		to.Close()
		return fmt.Errorf("open cgroup %s: this process is in no %s cgroup", dir, ctrl)
	}
	from, err := os.OpenFile(filepath.Join(roots[ctrl], rel, "tasks"), os.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		to.Close()
		return fmt.Errorf("open own cgroup %s: %w", rel, err)
	}
	p.tasks, p.back = append(p.tasks, to), append(p.back, from)
	return nil
}

// JoinThread moves the calling OS thread into the v1 cgroups; leave moves
// it back. Both write "0", the writer itself, not a thread ID: the kernel
// then moves a thread that cannot exit under it and skips the global
// threadgroup lock, whose every write waits for an RCU grace period
// (milliseconds on an idle machine).
func (p *Placement) JoinThread() (leave func() error, err error) {
	if len(p.tasks) == 0 {
		return func() error { return nil }, nil // v2 only: see CgroupFD
	}
	visits.RLock()
	back := visit(func() error { return writeSelf(p.back) })
	if err := writeSelf(p.tasks); err != nil {
		_ = back()
		return nil, err
	}
	return back, nil
}

func writeSelf(files []*os.File) error {
	for _, f := range files {
		if _, err := f.Write([]byte("0")); err != nil {
			return fmt.Errorf("move thread to cgroup %s: %w", filepath.Dir(f.Name()), err)
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
	for _, f := range append(p.tasks, p.back...) {
		errs = append(errs, f.Close())
	}
	if p.dir != nil {
		errs = append(errs, p.dir.Close())
	}
	return errors.Join(errs...)
}

// ownV1Cgroups reads the calling thread's v1 cgroup of each controller
// from /proc/thread-self/cgroup ("ID:ctrl1,ctrl2:/path" lines). The
// thread is held for the open and the read: /proc/thread-self names the
// thread that opened the file, and a goroutine moved to another thread
// meanwhile read ESRCH once the first one ended (a goroutine that locked
// it for a namespace join ends it).
func ownV1Cgroups() (map[string]string, error) {
	runtime.LockOSThread()
	data, err := os.ReadFile("/proc/thread-self/cgroup")
	runtime.UnlockOSThread()
	if err != nil {
		return nil, fmt.Errorf("read own cgroups: %w", err)
	}
	own := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 || parts[1] == "" {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	return own, nil
}
