package monitor

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// tracing, when MINIPOD_TRACE is set, writes the time of each start-up
// step to the monitor's log: how `make bench` numbers are taken apart.
var (
	tracing   = os.Getenv("MINIPOD_TRACE") != ""
	traceZero = traceStart()
)

// traceStart is when the steps are counted from: the process's start, or
// the time MINIPOD_TRACE carries (Unix nanoseconds; a smaller number such
// as 1 only turns tracing on), so that `up` and the monitor it starts
// count on one clock from when their caller began.
func traceStart() time.Time {
	const year2001 = 1e18
	if ns, err := strconv.ParseInt(os.Getenv("MINIPOD_TRACE"), 10, 64); err == nil && ns > year2001 {
		return time.Unix(0, ns)
	}
	return time.Now()
}

func trace(step string) {
	if tracing {
		fmt.Fprintf(os.Stderr, "trace %8.2f ms %s\n", float64(time.Since(traceZero).Microseconds())/1000, step)
	}
}

// Trace writes the time of a start-up step, for `up` (same clock).
func Trace(step string) { trace(step) }
