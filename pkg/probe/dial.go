package probe

import (
	"context"
	"fmt"
	"net"

	"github.com/minipod/minipod/pkg/ns"
)

// Net is where probes connect from: the pod's network namespace, or the
// caller's own; and the minipod-probe program that makes the attempts
// needing TLS or HTTP/2 on the connections opened there (helper: its
// path, "" where it is not installed).
type Net struct {
	own    bool
	path   string
	ino    uint64 // the namespace's inode, when known
	helper string
}

// Own is the caller's own network namespace, for hostNetwork pods.
func Own(helper string) *Net { return &Net{own: true, helper: helper} }

// InNetNS is the network namespace opened from path (where the pod's is
// held: state.Pod.NSPaths). With its inode known, a dial after the holder
// died (its PID perhaps reused) fails instead of leaving from another
// namespace.
func InNetNS(path string, ino uint64, helper string) *Net {
	return &Net{path: path, ino: ino, helper: helper}
}

// Dial opens a TCP connection to addr ("host:port"). A socket belongs to
// the namespace of the thread that creates it, so the dial runs on a
// thread that joined the namespace; the connection is then used from
// anywhere.
func (n *Net) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	if n.own {
		return d.DialContext(ctx, "tcp", addr)
	}
	if n.path == "" {
		return nil, fmt.Errorf("dial %s: the pod holds no network namespace", addr)
	}
	set, err := ns.OpenPath("net", n.path)
	if err != nil {
		return nil, err
	}
	defer set.Close()
	if n.ino != 0 {
		if err := set.Expect(map[string]uint64{"net": n.ino}); err != nil {
			return nil, err
		}
	}
	var conn net.Conn
	err = set.Do(func() error {
		var derr error
		conn, derr = d.DialContext(ctx, "tcp", addr)
		return derr
	})
	return conn, err
}
