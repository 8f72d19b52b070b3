package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"

	"github.com/minipod/minipod/pkg/ns"
)

// Net is where probes connect from: the network namespace of a process
// (the pod's pause), or the caller's own.
type Net struct {
	pid int
}

// InNetNS returns the Net of process pid's network namespace; 0 is the
// caller's own, for hostNetwork pods.
func InNetNS(pid int) *Net { return &Net{pid: pid} }

// Dial opens a TCP connection to addr ("host:port"). A socket belongs to
// the namespace of the thread that creates it, so the dial runs on a
// thread that joined the namespace; the connection is then used from
// anywhere.
func (n *Net) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	if n.pid == 0 {
		return d.DialContext(ctx, "tcp", addr)
	}
	set, err := ns.Open(n.pid, "net")
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

// h2Transport speaks HTTP/2 only: without TLS from the first byte (gRPC's
// plaintext mode), or over TLS without certificate checks; dialing from
// this Net. Made per probe, its connection closed after it.
func (n *Net) h2Transport(useTLS bool) *http.Transport {
	var p http.Protocols
	p.SetUnencryptedHTTP2(!useTLS)
	p.SetHTTP2(useTLS)
	return &http.Transport{
		DialContext:     func(ctx context.Context, _, addr string) (net.Conn, error) { return n.Dial(ctx, addr) },
		Protocols:       &p,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as the kubelet: probes do not check certificates
	}
}
