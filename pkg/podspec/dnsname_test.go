package podspec

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestDNSNamesMatchExpressions: the hand-written checks accept what
// apimachinery's expressions accept, on every short string of a small
// alphabet and on random longer ones.
func TestDNSNamesMatchExpressions(t *testing.T) {
	checks := []struct {
		re *regexp.Regexp
		f  func(string) bool
	}{
		{regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`), IsDNS1123Label},
		{regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`), IsDNS1123Subdomain},
		{regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`), isDNS1035Label},
	}
	const alphabet = "a0-.Z_\n"
	var all []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		all = append(all, prefix)
		if n > 0 {
			for _, c := range alphabet {
				grow(prefix+string(c), n-1)
			}
		}
	}
	grow("", 4)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, rng.IntN(20))
		for i := range b {
			b[i] = "abz09-.A_/é"[rng.IntN(11)]
		}
		all = append(all, string(b))
	}
	for _, s := range all {
		for i, c := range checks {
			if got, want := c.f(s), c.re.MatchString(s); got != want {
				t.Errorf("check %d of %q: %v, want %v", i, s, got, want)
			}
		}
	}
}
