package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// keyrings are the keyrings a process reaches without knowing a key's id.
var keyrings = []struct {
	name string
	id   int
}{
	{"session", unix.KEY_SPEC_SESSION_KEYRING},
	{"user", unix.KEY_SPEC_USER_KEYRING},
	{"user-session", unix.KEY_SPEC_USER_SESSION_KEYRING},
}

// keyringRead searches the reachable keyrings for a key of type "user"
// called description and prints its payload. Containers share the host's
// user namespace, so root in a container has host root's user keyring
// unless keyctl is filtered.
func keyringRead(args []string) error {
	var last error
	for _, r := range keyrings {
		id, err := unix.KeyctlSearch(r.id, "user", args[0], 0)
		if err != nil {
			fmt.Printf("search %s keyring: %s\n", r.name, errno(err))
			last = err
			continue
		}
		buf := make([]byte, 4096)
		n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
		if err != nil {
			fmt.Printf("read key %d from %s keyring: %s\n", id, r.name, errno(err))
			last = err
			continue
		}
		fmt.Printf("found in %s keyring: %s\n", r.name, buf[:min(n, len(buf))])
		return nil
	}
	return fmt.Errorf("key %q not read: %w", args[0], last)
}
