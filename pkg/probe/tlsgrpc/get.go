package tlsgrpc

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"

	"github.com/minipod/minipod/pkg/probe"
)

// httpsGet is one GET of rawURL over TLS on conn, without certificate checks
// (as the kubelet's httpGet probe), with the request written and the
// answer read as package probe does over plain HTTP.
func httpsGet(ctx context.Context, conn net.Conn, rawURL, host string, headers []probe.Header) (code int, location string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, "", fmt.Errorf("probe URL: %w", err)
	}
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}) //nolint:gosec // as the kubelet: probes do not check certificates
	if err := tc.HandshakeContext(ctx); err != nil {
		return 0, "", err
	}
	return probe.Exchange(tc, u, host, headers)
}
