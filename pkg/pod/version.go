package pod

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/minipod/minipod/pkg/cgroups"
	"golang.org/x/sys/unix"
)

// buildCommit is set by `make build` (-X) from git, for builds made
// without the toolchain's VCS stamp (-buildvcs=false).
var buildCommit string

// Version prints what `minipod version` shows: minipod's version and
// commit (from the build's VCS stamp), the Go it was built with, the
// cgroup mode minipod uses on this node and the kernel.
func Version(out io.Writer) error {
	version, commit, goVersion := "(devel)", "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		commit = vcsCommit(bi.Settings)
	}
	if buildCommit != "" {
		commit = buildCommit
	}
	mode := "unknown"
	if d, err := cgroups.Detect(); err == nil {
		mode = "v1"
		if d.V2 {
			mode = "v2 (" + d.Mount + ")"
		}
	}
	var u unix.Utsname
	kernel := "unknown"
	if unix.Uname(&u) == nil {
		kernel = unix.ByteSliceToString(u.Release[:])
	}
	_, err := fmt.Fprintf(out, "Version: %s\nCommit: %s\nGo: %s\nCgroups: %s\nKernel: %s\n", version, commit, goVersion, mode, kernel)
	return err
}

// vcsCommit is the commit the binary was built from, "-dirty" when the
// work tree had changes.
func vcsCommit(settings []debug.BuildSetting) string {
	commit, dirty := "unknown", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			dirty = strings.EqualFold(s.Value, "true")
		}
	}
	if dirty {
		commit += "-dirty"
	}
	return commit
}
