package tlsgrpc

import (
	"context"
	"errors"
	"net"
	"os"

	"github.com/minipod/minipod/pkg/probe"
	"github.com/minipod/minipod/pkg/probe/probereq"
)

// Serve makes the attempt req asks for on conn, by req.Deadline.
func Serve(req probereq.Request, conn net.Conn) probereq.Result {
	ctx, cancel := context.WithDeadline(context.Background(), req.Deadline)
	defer cancel()
	_ = conn.SetDeadline(req.Deadline)
	switch req.Op {
	case probereq.OpGet:
		headers := make([]probe.Header, 0, len(req.Headers))
		for _, h := range req.Headers {
			headers = append(headers, probe.Header{Name: h.Name, Value: h.Value})
		}
		code, loc, err := Get(ctx, conn, req.URL, req.Host, headers)
		if err != nil {
			timedOut := errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
			return probereq.Result{Error: err.Error(), TimedOut: timedOut}
		}
		return probereq.Result{Code: code, Location: loc}
	case probereq.OpGRPC:
		r := GRPC(ctx, conn, req.Addr, req.Service, req.TLS, req.Timeout)
		return probereq.Result{OK: r.OK, Message: r.Message}
	}
	return probereq.Result{Error: "unknown probe operation " + req.Op, Message: "error: unknown probe operation " + req.Op}
}
