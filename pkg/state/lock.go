package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Lock takes the pod's exclusive flock without blocking. The monitor holds
// it for its whole life; so `down` knows, race-free and immune to PID reuse,
// whether a monitor is still responsible for the pod.
func (r Roots) Lock(pod string) (*os.File, error) {
	f, err := os.OpenFile(r.LockFile(pod), os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open lock of %s: %w", pod, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("pod %q: %w", pod, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", pod, err)
	}
	return f, nil
}

// nodeLockName is the node lock's file in the run root.
const nodeLockName = ".node.lock"

// LockNode takes the node-wide flock that serialises decisions over every
// pod at once (whether one more pod fits), blocking until it is free.
// Closing the file releases it. The lock taken is checked to be the file
// at the path once held: `network reset` may have unmounted the run
// root's tmpfs (and its lock file) meanwhile.
func (r Roots) LockNode() (*os.File, error) {
	for tries := 0; ; tries++ {
		f, err := r.lockNodeOnce()
		if err != nil || tries == 3 || sameFile(f, filepath.Join(r.Run, nodeLockName)) {
			return f, err
		}
		f.Close()
	}
}

func (r Roots) lockNodeOnce() (*os.File, error) {
	if err := r.SecureRun(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(r.Run, nodeLockName), os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open node lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock node: %w", err)
	}
	return f, nil
}

// sameFile reports whether f is the file at path.
func sameFile(f *os.File, path string) bool {
	var held, now unix.Stat_t
	return unix.Fstat(int(f.Fd()), &held) == nil && unix.Stat(path, &now) == nil && held.Dev == now.Dev && held.Ino == now.Ino
}
