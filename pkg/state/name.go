package state

import (
	"fmt"
	"regexp"
	"sync"
)

// dns1123Subdomain is Kubernetes' rule for object names. Checking it here, and
// not only in podspec, means no caller can turn an unchecked name into a path.
var dns1123Subdomain = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
})

// ValidName reports whether name is safe to use as a single path component.
func ValidName(name string) error {
	if len(name) == 0 || len(name) > 253 || !dns1123Subdomain().MatchString(name) {
		return fmt.Errorf("invalid pod name %q: must be a lowercase RFC 1123 subdomain", name)
	}
	return nil
}
