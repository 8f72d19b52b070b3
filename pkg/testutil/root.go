// Package testutil holds helpers for minipod's root and end-to-end tests.
package testutil

import (
	"os"
	"testing"
)

// RequiresRoot skips a test that needs real namespaces when not root — but
// fails it under CI, where root tests must run, never skip.
func RequiresRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root, and CI must run it as root")
	}
	t.Skip("needs root (real namespaces)")
}
