package podspec

import (
	"math"
	"math/big"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// quantityInputs cover every notation, rounding to thousandths, the forms
// Kubernetes keeps as written and the int64 caps.
func quantityInputs() []string {
	ins := []string{
		"0", "1", "-1", "100m", "1000m", "1500m", "0.5", "0.1m", "1u", "1n", "0.0001", "2.5",
		"10k", "1k", "1000", "1500", "12e2", "1e3", "1E3", "5e-1", "1e-4", "2E", "100E",
		"1Ki", "1024", "1023Ki", "2048Ki", "1536Ki", "1.5Gi", "0.5Ki", "512Mi", "1Ei", "8Ei",
		"+1Ki", "-1Gi", "1.Ki", ".5", "0.001", "999m", "1M", "1G", "123456789", "1e9", "3e21",
		"9223372036854775807", "9223372036854775807Ki", "64Mi", "2Mi", "1Mi", "0.1Ki", "1.0",
		"007", "0.000", "1234567890123456789", "-0.5m", "+100m", "2.000Gi", "10e-3",
	}
	for _, mant := range []string{"1", "8", "12", "1000", "1.5", "0.25", "3000", "1024", "-7"} {
		for _, suf := range []string{"", "n", "u", "m", "k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "e2", "e-2", "E5"} {
			ins = append(ins, mant+suf)
		}
	}
	return ins
}

func TestResourceQuantityMatchesKubernetes(t *testing.T) {
	for _, in := range quantityInputs() {
		k, err := resource.ParseQuantity(in)
		if err != nil {
			t.Fatalf("k8s cannot parse %q: %v", in, err)
		}
		k.RoundUp(resource.Milli) // SetDefaults_ResourceList
		q, err := parseResource(in)
		if err != nil {
			t.Fatalf("parseResource(%q): %v", in, err)
		}
		if got, want := q.String(), k.String(); got != want {
			t.Errorf("%q: String() = %q, Kubernetes says %q", in, got, want)
		}
		// Past the int64 range Kubernetes' MilliValue and Value wrap; ours
		// stop at the largest int64, as every other quantity cap does.
		if got, want := q.milli(), k.MilliValue(); fitsInt64(q.v, 1000) && got != want || !fitsInt64(q.v, 1000) && got != math.MaxInt64 {
			t.Errorf("%q: milli() = %d, Kubernetes says %d", in, got, want)
		}
		if got, want := q.value(), k.Value(); fitsInt64(q.v, 1) && got != want || !fitsInt64(q.v, 1) && got != math.MaxInt64 {
			t.Errorf("%q: value() = %d, Kubernetes says %d", in, got, want)
		}
	}
}

func fitsInt64(v *big.Rat, times int64) bool {
	return new(big.Rat).Mul(v, big.NewRat(times, 1)).Cmp(ratMaxInt64) <= 0
}

func TestResourceQuantitySums(t *testing.T) {
	cases := []struct {
		a, b, want string
	}{
		{"100m", "900m", "1"},
		{"0", "1Gi", "1Gi"},        // a zero takes the other's notation
		{"1Gi", "512Mi", "1536Mi"}, // the first's notation
		{"500m", "1Ki", "1024500m"},
		{"1e3", "1e3", "2e3"},
	}
	for _, tc := range cases {
		if got := mustResource(tc.a).plus(mustResource(tc.b)).String(); got != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.a, tc.b, got, tc.want)
		}
		k, k2 := resource.MustParse(tc.a), resource.MustParse(tc.b)
		k.Add(k2)
		if k.String() != tc.want {
			t.Errorf("Kubernetes says %s + %s = %s, the table says %s", tc.a, tc.b, k.String(), tc.want)
		}
	}
}
