package ctrinit

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// enterCwd changes the calling thread's working directory (its fs_struct
// is its own: the caller unshared CLONE_FS or is a fresh process) and
// checks that it ended up inside the root. The path comes from the image
// or the manifest, so it may name a magic link such as /proc/1/cwd; the
// caller has already dropped to the container's capabilities, and the
// kernel reports a directory outside the root as "(unreachable)/...",
// which Getwd turns into an error (the check behind CVE-2024-21626's fix).
func enterCwd(cwd string) error {
	if cwd == "" {
		cwd = "/"
	}
	if err := unix.Chdir(cwd); err != nil {
		return fmt.Errorf("enter working directory %s: %w", cwd, err)
	}
	got, err := unix.Getwd()
	if err != nil {
		return fmt.Errorf("working directory %s is outside the container's root", cwd)
	}
	if got == "" || got[0] != '/' {
		return fmt.Errorf("working directory %s is outside the container's root (%s)", cwd, got)
	}
	return nil
}
