package image

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The grammar as distribution/reference writes it: the reference the
// hand-written checks must agree with, string for string.
var (
	pathGrammar   = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	tagGrammar    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	domainGrammar = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$`)
	digestGrammar = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// TestRefSyntaxMatchesGrammar checks each hand-written check against its
// regular expression on chosen cases and on random strings over the
// characters that matter.
func TestRefSyntaxMatchesGrammar(t *testing.T) {
	checks := []struct {
		name string
		re   *regexp.Regexp
		fn   func(string) bool
	}{
		{"path", pathGrammar, validPath},
		{"tag", tagGrammar, validTag},
		{"domain", domainGrammar, validDomain},
		{"digest", digestGrammar, validDigest},
	}
	hex64 := strings.Repeat("0123456789abcdef", 4)
	chosen := []string{
		"", "a", "A", "_", "-", ".", "/", ":", "[", "]", "a/", "/a", "a//b", "a/b/c",
		"library/nginx", "a.b", "a..b", "a_b", "a__b", "a___b", "a-b", "a--b", "a-_b", "a_-b", "a._b",
		"-a", "a-", "_a", "a_", ".a", "a.", "Ab", "aB",
		"localhost", "localhost:5000", "localhost:", ":5000", "my-host.example.com", "-host", "host-",
		"a..b.c", "[::1]", "[::1]:5000", "[]", "[::1", "::1]", "[g::1]", "[::1]:", "a:b:1", "1.2.3.4:80",
		strings.Repeat("a", 128), "_" + strings.Repeat("a", 127), strings.Repeat("a", 129), "1.0-rc.1",
		"sha256:" + hex64, "sha256:" + strings.ToUpper(hex64), "sha256:" + hex64[:63], "sha256:" + hex64 + "0", "sha512:" + hex64,
	}
	for _, c := range checks {
		for _, s := range chosen {
			if got, want := c.fn(s), c.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the grammar says %v", c.name, s, got, want)
			}
		}
	}
	const alphabet = "ab09AZ._-/:[]@fF"
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, r.IntN(14))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		for _, c := range checks {
			if got, want := c.fn(s), c.re.MatchString(s); got != want {
				t.Fatalf("%s(%q) = %v, the grammar says %v", c.name, s, got, want)
			}
		}
	}
}
