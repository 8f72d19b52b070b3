// Package roles runs the hidden roles a minipod program re-executes
// itself in (monitor, pause, init): minipod's binary and minipod-monitor,
// whose main functions start here before anything else.
package roles

import (
	"runtime"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/monitor"
	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/selfexe"
)

// The main goroutine keeps the main thread for the process's whole life
// (this runs during package initialisation, on the main goroutine):
// threads that join a pod's namespaces or cgroups are thrown away after
// use (package ns), and Go never ends the main thread.
func init() { runtime.LockOSThread() }

// Run runs the role args name (os.Args[1:]) and reports whether there
// was one. A role's process runs from a seal, whose path names nothing:
// it gets a readable name (minipod-monitor, ...) first.
func Run(args []string) bool {
	if len(args) == 0 {
		return false
	}
	role := args[0]
	if role == ctrinit.EnterRole {
		// Only minipod-init's entry point joins a user namespace: here
		// Enter fails, saying so, and the container's start with it.
		ctrinit.Enter(0, 0, 0)
	}
	switch role {
	case pause.Role, ctrinit.Role, monitor.Role:
		selfexe.SetName("minipod-" + role)
	default:
		return false
	}
	switch role {
	case pause.Role:
		pause.Main(args[1:])
	case ctrinit.Role:
		ctrinit.Init(args[1:], false)
	default:
		monitor.Main(args[1:])
	}
	return true
}
