package ctrinit

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// newSessionKeyring gives the calling thread (and what it execs) a fresh
// anonymous session keyring, so the container never shares the session
// keyring of whoever ran minipod. The per-UID user keyring is another
// matter: container root is host root there, and only the seccomp profile
// (which denies keyctl, add_key and request_key) keeps it out of reach.
func newSessionKeyring() error {
	_, _, errno := unix.RawSyscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0)
	if errno != 0 && errno != unix.ENOSYS {
		return fmt.Errorf("join a new session keyring: %w", errno)
	}
	return nil
}
