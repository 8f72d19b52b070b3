// Command minipod runs Kubernetes v1 Pods on one Linux machine with real
// kernel namespaces. The same binary re-executes itself in three hidden
// roles (monitor, pause, init), dispatched before any CLI code runs so those
// long-lived processes stay lean.
package main

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/monitor"
	"os"
	"runtime"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/selfexe"
)

// The main goroutine keeps the main thread for the process's whole life:
// threads that join a pod's namespaces or cgroups are thrown away after
// use (package ns), and Go never ends the main thread.
func init() { runtime.LockOSThread() }

func main() {
	sealFds()
	if len(os.Args) > 1 {
		nameRole(os.Args[1])
		switch os.Args[1] {
		case pause.Role:
			pause.Main(os.Args[2:])
			return
		case ctrinit.Role:
			ctrinit.Init(os.Args[2:])
			return
		case monitor.Role:
			monitor.Main(os.Args[2:])
			return
		}
	}
	if err := newRoot().Execute(); err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		fmt.Fprintf(os.Stderr, "minipod: %v\n", err)
		os.Exit(1)
	}
}

// exitCode passes a command's exit status (exec) through cobra untouched.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// nameRole gives the hidden roles a readable process name (they run from
// the sealed binary).
func nameRole(role string) {
	switch role {
	case pause.Role, ctrinit.Role, monitor.Role:
		selfexe.SetName("minipod-" + role)
	}
}
