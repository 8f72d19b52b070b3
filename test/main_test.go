// Package test holds minipod's end-to-end tests: they build the minipod
// binary, run real pods with it and check what a user would see, and that
// nothing is left behind on the host.
package test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// exe is the minipod binary under test, built by TestMain.
var exe string

// TestMain builds minipod from the repository (or uses MINIPOD_E2E_BIN when
// set, to test an already built binary), then runs the tests. The tests
// mostly wait on pods, so they run with more parallelism than the default
// of GOMAXPROCS unless -parallel was given.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			explicit = true
		}
	})
	if !explicit && runtime.GOMAXPROCS(0) < 6 {
		_ = flag.Set("test.parallel", "6")
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		// The tests skip (or fail under CI) through testutil.RequiresRoot.
		return m.Run()
	}
	if bin := os.Getenv("MINIPOD_E2E_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		exe = abs
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "minipod-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	exe = filepath.Join(dir, "minipod")
	// The companions beside it, as installed: pods' monitors, pause and
	// containers' init run from them.
	// minipod-init again with its entry point, as the Makefile links it.
	initArgs := []string{"build", "-o", dir + "/"}
	if runtime.GOARCH == "amd64" {
		initArgs = append(initArgs, "-ldflags=-E main.userNSEntry")
	}
	for _, args := range [][]string{{"build", "-o", dir + "/", "./cmd/..."}, append(initArgs, "./cmd/minipod-init")} {
		build := exec.Command("go", args...)
		build.Dir = ".."
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building minipod:", err)
			return 2
		}
	}
	return m.Run()
}
