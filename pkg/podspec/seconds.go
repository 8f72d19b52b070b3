package podspec

import (
	"math"
	"time"
)

// Seconds converts a count of seconds from a manifest into a Duration.
// Kubernetes accepts any int64 in terminationGracePeriodSeconds (and other
// *Seconds fields), but a Duration counts nanoseconds and so holds only
// ±292 years: time.Duration(n)*time.Second wraps around for larger n, and
// 9223372036854775807 seconds became a negative grace period, that is, an
// immediate SIGKILL. Seconds saturates instead: any n beyond the range
// gives the largest (or smallest) Duration, which is "forever" for every
// timer. A caller that adds to the result must saturate the sum as well.
func Seconds(n int64) time.Duration {
	const most = int64(math.MaxInt64 / time.Second)
	switch {
	case n > most:
		return math.MaxInt64
	case n < -most:
		return math.MinInt64
	}
	return time.Duration(n) * time.Second
}
