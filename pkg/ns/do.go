package ns

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Do runs fn on a fresh OS thread (see OnThread) that has joined every
// namespace of the set. fn typically forks: the child starts inside the
// namespaces. The thread is discarded afterwards, so Do never leaks a
// namespace into other goroutines.
func (s *Set) Do(fn func() error) error {
	return OnThread(func() error {
		if err := s.join(); err != nil {
			return err
		}
		return fn()
	})
}

func (s *Set) join() error {
	if _, ok := s.fds["mnt"]; ok {
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return fmt.Errorf("unshare fs: %w", err)
		}
	}
	for _, k := range Kinds {
		f, ok := s.fds[k]
		if !ok {
			continue
		}
		if err := unix.Setns(int(f.Fd()), cloneFlag[k]); err != nil {
			return fmt.Errorf("join %s namespace: %w", k, err)
		}
	}
	return nil
}
