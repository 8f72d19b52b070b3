// Command minipod-pause is a pod's infra process (package pause), as a
// program of its own: one makes each pod's namespaces (and lives as long
// as the pod with a shared PID namespace), and the minipod binary, which
// could play the part too, is ten times its size.
// minipod's monitor starts it; it is not meant to be run by hand.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/selfexe"
)

// Capabilities are dropped from every thread at once (AllThreadsSyscall);
// the main thread stays the one that set up the namespaces.
func init() { runtime.LockOSThread() }

func main() {
	if len(os.Args) < 2 || os.Args[1] != pause.Role {
		fmt.Fprintln(os.Stderr, "minipod-pause is started by minipod's pod monitor, not by hand")
		os.Exit(2)
	}
	selfexe.SetName("minipod-pause")
	pause.Main(os.Args[2:])
}
