package podspec

import (
	"math"
	"testing"
	"time"
)

func TestSeconds(t *testing.T) {
	most := int64(math.MaxInt64 / time.Second)
	cases := []struct {
		in   int64
		want time.Duration
	}{
		{0, 0},
		{30, 30 * time.Second},
		{-1, -time.Second},
		{most, time.Duration(most) * time.Second},
		{most + 1, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64},
		{-most, -time.Duration(most) * time.Second},
		{-most - 1, math.MinInt64},
		{math.MinInt64, math.MinInt64},
	}
	for _, tc := range cases {
		if got := Seconds(tc.in); got != tc.want {
			t.Errorf("Seconds(%d) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
