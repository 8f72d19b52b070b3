package monitor

import (
	"fmt"
	"os"
	"time"
)

// tracing, when MINIPOD_TRACE is set, writes the time of each start-up
// step to the monitor's log: how `make bench` numbers are taken apart.
var (
	tracing   = os.Getenv("MINIPOD_TRACE") != ""
	traceZero = time.Now()
)

func trace(step string) {
	if tracing {
		fmt.Fprintf(os.Stderr, "trace %8.2f ms %s\n", float64(time.Since(traceZero).Microseconds())/1000, step)
	}
}

// Trace writes the time of a start-up step, for `up` (same clock).
func Trace(step string) { trace(step) }
