// Command minipod-monitor is a pod's monitor, and where minipod-pause and
// minipod-init are not installed its pause and container init as well:
// minipod's hidden roles without its command line and without a YAML
// parser (package yamlin), which would cost every pod's monitor ~130 kB
// for the pod's whole life. `up` runs it, sealed, in place of its own
// binary's monitor role when it is installed beside minipod.
package main

import (
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/roles"
	"github.com/minipod/minipod/pkg/selfexe"
)

func main() {
	_ = selfexe.SealInherited() // a host without /proc has no close_range either: nothing to do
	if !roles.Run(os.Args[1:]) {
		fmt.Fprintln(os.Stderr, "minipod-monitor: started by minipod up only")
		os.Exit(2)
	}
}
