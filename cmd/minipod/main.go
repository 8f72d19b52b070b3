// Command minipod runs Kubernetes v1 Pods on one Linux machine with real
// kernel namespaces. The same binary re-executes itself in three hidden
// roles (monitor, pause, init), dispatched before any CLI code runs so those
// long-lived processes stay lean.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/roles"
	"github.com/minipod/minipod/pkg/safeterm"
	"github.com/minipod/minipod/pkg/selfexe"
)

func main() {
	_ = selfexe.SealInherited() // a host without /proc has no close_range either: nothing to do
	if roles.Run(os.Args[1:]) {
		return
	}
	if err := newRoot().Execute(); err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		// Errors quote what containers and manifests wrote.
		fmt.Fprintf(os.Stderr, "minipod: %s\n", safeterm.String(err.Error()))
		os.Exit(1)
	}
}

// exitCode passes a command's exit status (exec) through cobra untouched.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
