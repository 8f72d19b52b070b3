package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/probe/probereq"
)

// getTLS has the minipod-probe program make g over TLS on conn.
func (n *Net) getTLS(ctx context.Context, conn net.Conn, g getRequest) (code int, location string, err error) {
	req := probereq.Request{Op: probereq.OpGet, Within: within(ctx), URL: g.url.String(), Host: g.host, Headers: g.headers}
	res, err := probereq.Run(ctx, n.helper, conn, req)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return 0, "", os.ErrDeadlineExceeded // killed at the deadline: worded as a timeout
	case err != nil:
		return 0, "", err
	case res.TimedOut:
		return 0, "", fmt.Errorf("%s: %w", res.Error, os.ErrDeadlineExceeded)
	case res.Error != "":
		return 0, "", errors.New(res.Error)
	}
	return res.Code, res.Location, nil
}

// within is what is left of ctx's time (probes always have a deadline).
func within(ctx context.Context) time.Duration {
	d, _ := ctx.Deadline()
	return max(time.Until(d), 0)
}
