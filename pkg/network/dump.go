package network

import (
	"errors"

	"github.com/vishvananda/netlink"
)

// dumpTries bounds the retries of a netlink dump.
const dumpTries = 5

// dump runs a netlink dump again while the kernel says it was
// interrupted: a link or address that changed during it (another pod's
// veth coming or going) may be missing from the answer, or twice in it.
func dump[T any](list func() ([]T, error)) ([]T, error) {
	var out []T
	var err error
	for range dumpTries {
		out, err = list()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	return out, err
}
