package monitor

import (
	"errors"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A pod with hostUsers: false gets, when bound, a block of host ids that
// no other pod on the node holds; its user namespace maps ids 0-65535 to
// them. As the kubelet's defaults: blocks of 65536, the first at 65536
// (ids below are the host's own users), the last ending below 2^32 (a
// range that reaches it wraps, and the kernel refuses its uid_map line).
const (
	userNSLength = 1 << 16
	userNSBlocks = 1<<16 - 2
)

// errNoUserNS: every block is held, by as many pods.
var errNoUserNS = errors.New("no user namespace ids left on the node: every range of 65536 is held by a pod")

// pickUserNS is the lowest block not in taken.
func pickUserNS(taken []*state.IDRange) (*state.IDRange, error) {
	held := map[uint32]bool{}
	for _, r := range taken {
		if r != nil {
			held[r.HostID] = true
		}
	}
	for b := uint32(1); b <= userNSBlocks; b++ {
		if !held[b*userNSLength] {
			return &state.IDRange{HostID: b * userNSLength, Size: userNSLength}, nil
		}
	}
	return nil, errNoUserNS
}

// idMapping is r as a container's config.json maps ids (none for nil).
func idMapping(r *state.IDRange) specs.LinuxIDMapping {
	if r == nil {
		return specs.LinuxIDMapping{}
	}
	return specs.LinuxIDMapping{ContainerID: 0, HostID: r.HostID, Size: r.Size}
}

// withUserNS runs fn with the pod's user namespace open (nil for a pod of
// the host's users): the monitor's own hold, or pause's while it stays.
func (mon *monitor) withUserNS(fn func(*os.File) error) error {
	if mon.st.UserNS == nil {
		return fn(nil)
	}
	path := mon.st.NSPaths["user"]
	if path == "" {
		return errors.New("the pod's user namespace is not held yet")
	}
	set, err := ns.OpenPath("user", path)
	if err != nil {
		return err
	}
	defer set.Close()
	if err := set.Expect(mon.st.Namespaces); err != nil {
		return fmt.Errorf("the pod's user namespace: %w", err)
	}
	return fn(set.UserNS())
}
