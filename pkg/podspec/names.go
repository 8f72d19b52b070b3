package podspec

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Name rules from k8s.io/apimachinery/pkg/util/validation, restated. Each
// returns "" when valid, else the reason, so callers can wrap it with a path.

const (
	dns1123LabelMax     = 63
	dns1123SubdomainMax = 253
	qualifiedNameMax    = 63
	labelValueMax       = 63
	ianaSvcNameMax      = 15
	configMapKeyMax     = 253
)

var (
	qualifiedNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`) })
	ianaSvcNameRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-a-z0-9]+$`) })
	ianaHasLetterRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-z]`) })
	configMapKeyRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-._a-zA-Z0-9]+$`) })
)

func dns1123Label(s string) string {
	if len(s) > dns1123LabelMax {
		return fmt.Sprintf("must be no more than %d characters", dns1123LabelMax)
	}
	if !IsDNS1123Label(s) {
		return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
			"and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
	}
	return ""
}

// dns1123Subdomain is the rule for pod and ConfigMap names. A pod name may be
// longer than a hostname (63); as kubelet does, the hostname is truncated
// where it is set, not here.
func dns1123Subdomain(s string) string {
	if len(s) > dns1123SubdomainMax {
		return fmt.Sprintf("must be no more than %d characters", dns1123SubdomainMax)
	}
	if !IsDNS1123Subdomain(s) {
		return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
			"and must start and end with an alphanumeric character (e.g. 'example.com')"
	}
	return ""
}

// qualifiedName is the rule for label and annotation keys: [prefix/]name.
func qualifiedName(s string) string {
	name := s
	if prefix, rest, ok := strings.Cut(s, "/"); ok {
		if prefix == "" {
			return "prefix part must be non-empty"
		}
		if why := dns1123Subdomain(prefix); why != "" {
			return "prefix part " + why
		}
		name = rest
	}
	if name == "" {
		return "name part must be non-empty"
	}
	if len(name) > qualifiedNameMax {
		return fmt.Sprintf("name part must be no more than %d characters", qualifiedNameMax)
	}
	if !qualifiedNameRe().MatchString(name) {
		return "name part must consist of alphanumeric characters, '-', '_' or '.', " +
			"and must start and end with an alphanumeric character"
	}
	return ""
}

func labelValue(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > labelValueMax {
		return fmt.Sprintf("must be no more than %d characters", labelValueMax)
	}
	if !qualifiedNameRe().MatchString(s) {
		return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
			"and must start and end with an alphanumeric character"
	}
	return ""
}

// ianaSvcName is the rule for port names (RFC 6335).
func ianaSvcName(s string) string {
	switch {
	case len(s) > ianaSvcNameMax:
		return fmt.Sprintf("must be no more than %d characters", ianaSvcNameMax)
	case !ianaSvcNameRe().MatchString(s):
		return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
	case strings.Contains(s, "--"):
		return "must not contain consecutive hyphens"
	case !ianaHasLetterRe().MatchString(s):
		return "must contain at least one letter (a-z)"
	case s[0] == '-' || s[len(s)-1] == '-':
		return "must not begin or end with a hyphen"
	}
	return ""
}

// envVarName follows Kubernetes' relaxed rule (RelaxedEnvironmentVariable
// Validation, GA): any printable ASCII except '='.
func envVarName(s string) string {
	if s == "" {
		return "must not be empty"
	}
	for _, r := range s {
		if r < ' ' || r > '~' || r == '=' {
			return "a valid environment variable name must consist only of printable ASCII characters other than '='"
		}
	}
	return ""
}

func configMapKey(s string) string {
	switch {
	case len(s) > configMapKeyMax:
		return fmt.Sprintf("must be no more than %d characters", configMapKeyMax)
	case !configMapKeyRe().MatchString(s):
		return "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
	case s == "." || s == "..":
		return "must not be '.' or '..'"
	case strings.HasPrefix(s, ".."):
		return "must not start with '..'"
	}
	return ""
}

// localDescendingPath is the rule for subPath and configMap item paths:
// relative and never climbing out of the volume.
func localDescendingPath(s string) string {
	if strings.HasPrefix(s, "/") {
		return "must be a relative path"
	}
	for _, part := range strings.Split(s, "/") {
		if part == ".." {
			return "must not contain '..'"
		}
	}
	return ""
}
