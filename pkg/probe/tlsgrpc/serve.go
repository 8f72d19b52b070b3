package tlsgrpc

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/probe/probereq"
)

// Serve makes the attempt req asks for on conn, by req.Deadline.
func Serve(req probereq.Request, conn net.Conn) probereq.Result {
	deadline := time.Now().Add(req.Within)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_ = conn.SetDeadline(deadline)
	switch req.Op {
	case probereq.OpGet:
		code, loc, err := httpsGet(ctx, conn, req.URL, req.Host, req.Headers)
		if err != nil {
			timedOut := errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
			return probereq.Result{Error: quote(err.Error()), TimedOut: timedOut}
		}
		return probereq.Result{Code: code, Location: quote(loc)}
	case probereq.OpGRPC:
		r := healthCheck(ctx, conn, req.Addr, req.Service, req.TLS, req.Timeout)
		return probereq.Result{OK: r.OK, Message: quote(r.Message)}
	}
	return probereq.Result{Error: "unknown probe operation " + req.Op, Message: "error: unknown probe operation " + req.Op}
}

// quote cuts what may carry a server's words (a grpc-message, a header in
// an error) to MaxQuote bytes, so that the result always fits the
// caller's bound.
func quote(s string) string {
	if len(s) <= probereq.MaxQuote {
		return s
	}
	return strings.ToValidUTF8(s[:probereq.MaxQuote], "") + "..."
}
