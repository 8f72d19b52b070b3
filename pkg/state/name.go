package state

import (
	"fmt"

	"github.com/minipod/minipod/pkg/podspec"
)

// ValidName reports whether name is safe to use as a single path
// component: Kubernetes' rule for object names. Checking it here, and not
// only in podspec, means no caller can turn an unchecked name into a path.
func ValidName(name string) error {
	if len(name) == 0 || len(name) > 253 || !podspec.IsDNS1123Subdomain(name) {
		return fmt.Errorf("invalid pod name %q: must be a lowercase RFC 1123 subdomain", name)
	}
	return nil
}
