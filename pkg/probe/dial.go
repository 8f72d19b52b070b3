package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/minipod/minipod/pkg/ns"
)

// Net is where probes connect from: the pod's network namespace, or the
// caller's own.
type Net struct {
	own  bool
	path string
	ino  uint64 // the namespace's inode, when known
}

// Own is the caller's own network namespace, for hostNetwork pods.
func Own() *Net { return &Net{own: true} }

// InNetNS is the network namespace opened from path (where the pod's is
// held: state.Pod.NSPaths). With its inode known, a dial after the holder
// died (its PID perhaps reused) fails instead of leaving from another
// namespace.
func InNetNS(path string, ino uint64) *Net { return &Net{path: path, ino: ino} }

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

// h2Transport speaks HTTP/2 only: without TLS from the first byte (gRPC's
// plaintext mode), or over TLS without certificate checks; dialing from
// this Net. Made per probe: closeAll closes every connection it dialed,
// which the transport's own idle-connection cleanup would miss while a
// stream the server never answered is still being torn down.
func (n *Net) h2Transport(useTLS bool) (tr *http.Transport, closeAll func()) {
	var p http.Protocols
	p.SetUnencryptedHTTP2(!useTLS)
	p.SetHTTP2(useTLS)
	var mu sync.Mutex
	var conns []net.Conn
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		c, err := n.Dial(ctx, addr)
		if err == nil {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		return c, err
	}
	tr = &http.Transport{
		DialContext:     dial,
		Protocols:       &p,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as the kubelet: probes do not check certificates
	}
	return tr, func() {
		tr.CloseIdleConnections()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
}
