package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/minipod/minipod/pkg/probe/probereq"
)

// GRPC is the kubelet's grpc probe: Check on host:port for service (""
// is the server's overall health), in plaintext or (useTLS) over TLS
// without certificate checks, SERVING a success, with the kubelet's
// messages otherwise. The connection is opened here; the call runs in the
// minipod-probe program (package probereq), which links HTTP/2 and TLS.
func GRPC(ctx context.Context, n *Net, host string, port int, service string, useTLS bool, timeout time.Duration) Result {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := n.Dial(ctx, addr)
	if err != nil {
		return ConnectFailed(ctx, addr, timeout, err)
	}
	defer conn.Close()
	req := probereq.Request{Op: probereq.OpGRPC, Within: within(ctx), Addr: addr, Service: service, TLS: useTLS, Timeout: timeout}
	res, err := probereq.Run(ctx, n.helper, conn, req)
	if errors.Is(err, context.DeadlineExceeded) {
		return Result{Message: fmt.Sprintf("timeout: health rpc did not complete within %v", timeout)}
	}
	if err != nil {
		return Result{Message: "error: health rpc probe failed: " + err.Error()}
	}
	return Result{OK: res.OK, Message: res.Message}
}

// ConnectFailed words a call that could not reach addr, as the kubelet's
// grpc probe does.
func ConnectFailed(ctx context.Context, addr string, timeout time.Duration, err error) Result {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Result{Message: fmt.Sprintf("timeout: failed to connect service %q within %v: %v", addr, timeout, err)}
	}
	return Result{Message: fmt.Sprintf("error: failed to connect service at %q: %v", addr, err)}
}
