// Command minipod-init is a container's init (package ctrinit) as a
// program of its own: every container start runs it, and it starts in a
// fraction of the time of the minipod binary, which could play the part
// too. minipod's monitor starts it; it is not meant to be run by hand.
//
// For a pod with its own user namespace (hostUsers: false) it also plays
// ctrinit's enter role, the last step of every process of such a pod; its
// entry point (entry_amd64.s, linked with -E main.userNSEntry) joins the
// pod's user namespace before Go's runtime starts. The entry point also
// plays the spawn role (spawn_amd64.s), which forks an exec'd command a
// container could otherwise have traced.
package main

import (
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/selfexe"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == ctrinit.EnterRole {
		ctrinit.Enter(entryResult())
	}
	if len(os.Args) < 2 || os.Args[1] != ctrinit.Role && os.Args[1] != ctrinit.SpawnedRole {
		fmt.Fprintln(os.Stderr, "minipod-init is started by minipod's pod monitor, not by hand")
		os.Exit(2)
	}
	selfexe.SetName("minipod-init")
	ctrinit.Init(os.Args[2:], os.Args[1] == ctrinit.SpawnedRole)
}
