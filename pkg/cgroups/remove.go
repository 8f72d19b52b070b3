package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	lib "github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

// Destroy kills every process in the cgroup and below it, waits until they
// are gone, and removes the directories. A cgroup that does not exist is
// not an error: `down` may run twice, or after the monitor removed it.
func Destroy(d Dirs, timeout time.Duration) error {
	if err := Kill(d); err != nil {
		return err
	}
	if err := waitEmpty(d, timeout); err != nil {
		return err
	}
	return remove(d)
}

// Kill sends SIGKILL to every process in the cgroup and its descendants,
// without waiting. On v2 cgroup.kill does it atomically; on v1 the
// freezer stops new forks while the processes are signalled.
func Kill(d Dirs) error {
	visits.Lock() // never while a thread or all of us is inside
	defer visits.Unlock()
	if dir, ok := d[""]; ok && len(d) == 1 {
		err := lib.WriteFile(dir, "cgroup.kill", "1")
		if err == nil || errors.Is(err, fs.ErrNotExist) && !exists(dir) {
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("kill cgroup %s: %w", dir, err)
		}
		// A kernel before 5.14: no cgroup.kill; signal one by one.
	}
	// A cgroup with no process left (a pod whose containers all exited:
	// every `down` through its monitor) has none that could fork either,
	// and freezing it and thawing it again cost ~8 ms a pod on v1.
	if pids, err := lib.GetAllPids(anyDir(d)); err == nil && onlySelf(pids) {
		return nil
	}
	thaw := freeze(d["freezer"])
	defer thaw()
	return signalAll(anyDir(d))
}

// onlySelf reports whether pids holds no process but this one (a thread
// of ours may be in the cgroup for a moment while it forks there).
func onlySelf(pids []int) bool {
	self := os.Getpid()
	for _, pid := range pids {
		if pid != self {
			return false
		}
	}
	return true
}

// freeze freezes a v1 freezer cgroup and returns how to thaw it. Without
// a freezer hierarchy it does nothing; signalAll's loop then catches
// processes forked while it ran.
func freeze(dir string) func() {
	if dir == "" || !exists(dir) {
		return func() {}
	}
	if lib.WriteFile(dir, "freezer.state", string(lib.Frozen)) != nil {
		return func() {}
	}
	return func() { _ = lib.WriteFile(dir, "freezer.state", string(lib.Thawed)) }
}

// signalAll kills every PID listed below dir until a pass finds none.
func signalAll(dir string) error {
	if dir == "" || !exists(dir) {
		return nil
	}
	for range 10 {
		pids, err := lib.GetAllPids(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("list processes of cgroup %s: %w", dir, err)
		}
		self := os.Getpid()
		left := 0
		for _, pid := range pids {
			// A thread of ours can be listed while it forks into the
			// cgroup (Placement): never kill ourselves.
			if pid != self {
				_ = unix.Kill(pid, unix.SIGKILL)
				left++
			}
		}
		if left == 0 {
			return nil
		}
	}
	return nil
}

// waitEmpty waits until no process is left in the cgroup (killed ones
// take a moment to exit and be reaped).
func waitEmpty(d Dirs, timeout time.Duration) error {
	dir := anyDir(d)
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		pids, err := lib.GetAllPids(dir)
		if err != nil || onlySelf(pids) {
			return nil // gone, or nothing (of others) to wait for
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s still has processes %v after %v", dir, pids, timeout)
		}
		time.Sleep(delay)
	}
}

// remove deletes the directories, children first.
func remove(d Dirs) error {
	var errs []error
	for _, ctrl := range sortedKeys(d) {
		if err := lib.RemovePath(d[ctrl]); err != nil {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", d[ctrl], err))
		}
	}
	return errors.Join(errs...)
}

// anyDir is one hierarchy's directory to list processes from: every
// hierarchy holds the same processes.
func anyDir(d Dirs) string {
	for _, ctrl := range []string{"", "pids", "memory", "freezer", "cpu", "devices"} {
		if dir, ok := d[ctrl]; ok {
			return dir
		}
	}
	for _, ctrl := range sortedKeys(d) {
		return d[ctrl]
	}
	return ""
}

func sortedKeys(d Dirs) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func exists(dir string) bool {
	_, err := os.Stat(filepath.Clean(dir))
	return err == nil
}
