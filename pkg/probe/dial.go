package probe

import (
	"context"
	"net"

	"github.com/minipod/minipod/pkg/ns"
)

// Dialer opens a TCP connection to addr ("host:port").
type Dialer func(ctx context.Context, addr string) (net.Conn, error)

// InNetNS returns a Dialer whose sockets are made in the network
// namespace of process pid (the pod's pause process; 0 is the caller's
// own, for hostNetwork pods). A socket belongs to the namespace of the
// thread that creates it, so each dial runs on a thread that joined the
// namespace; the connection is then used from anywhere.
func InNetNS(pid int) Dialer {
	var d net.Dialer
	if pid == 0 {
		return func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		set, err := ns.Open(pid, "net")
		if err != nil {
			return nil, err
		}
		defer set.Close()
		var conn net.Conn
		err = set.Do(func() error {
			var derr error
			conn, derr = d.DialContext(ctx, "tcp", addr)
			return derr
		})
		return conn, err
	}
}
