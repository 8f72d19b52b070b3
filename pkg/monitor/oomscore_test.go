package monitor

import "testing"

func TestOOMScoreAdj(t *testing.T) {
	const gi = int64(1) << 30
	for _, c := range []struct {
		qos      string
		req, cap int64
		want     int
	}{
		{"Guaranteed", gi, 16 * gi, -997},
		{"BestEffort", 0, 16 * gi, 1000},
		{"Burstable", 0, 16 * gi, 999},
		{"Burstable", 4 * gi, 16 * gi, 750},
		{"Burstable", 16 * gi, 16 * gi, 3},
		{"Burstable", 32 * gi, 16 * gi, 3},
		{"Burstable", 1, 16 * gi, 999},
	} {
		if got := oomScoreAdj(c.qos, c.req, c.cap); got != c.want {
			t.Errorf("oomScoreAdj(%s, %d, %d) = %d, want %d", c.qos, c.req, c.cap, got, c.want)
		}
	}
}
