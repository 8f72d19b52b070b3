package podspec

import (
	"math"
	"testing"
)

func TestQuantityBytes(t *testing.T) {
	cases := map[string]int64{
		"0":      0,
		"1":      1,
		"64Mi":   64 << 20,
		"1Gi":    1 << 30,
		"0.5Gi":  1 << 29,
		"1G":     1e9,
		"500k":   500e3,
		"1e3":    1000,
		"1E3":    1000,
		"2E":     2e18,
		"+1Ki":   1024,
		"1.5":    2, // fractional bytes round up, as Quantity.Value does
		"100m":   1,
		".5Ki":   512,
		"1.Ki":   1024,
		"12e-1":  2,
		"1Ei":    1 << 60,
		"1500Mi": 1500 << 20,
		// Kubernetes caps quantities at the largest int64.
		"8Ei":  math.MaxInt64,
		"100E": math.MaxInt64,
		"1e30": math.MaxInt64,
	}
	for in, want := range cases {
		got, err := QuantityBytes(in)
		if err != nil || got != want {
			t.Errorf("QuantityBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestQuantityBytesErrors(t *testing.T) {
	for _, in := range []string{"", "abc", "1KB", "Mi", "1..2", "-1", "1e", "1e1000000", "1 Gi", "--1", "."} {
		if got, err := QuantityBytes(in); err == nil {
			t.Errorf("QuantityBytes(%q) = %d, want error", in, got)
		}
	}
}

// The two messages are apimachinery's: a suffix of the wrong shape is a
// format error, a well-shaped unknown one a suffix error.
func TestQuantityErrorText(t *testing.T) {
	for in, want := range map[string]error{"512MB": errQuantityFormat, "1Mb": errQuantityFormat, "1Q": errQuantityFormat, "5Ki3": errQuantitySuffix, "1mi": errQuantitySuffix} {
		if _, err := parseQuantity(in); err != want {
			t.Errorf("parseQuantity(%q) = %v, want %v", in, err, want)
		}
	}
}
