package ctrinit

import "github.com/minipod/minipod/pkg/lean"

// RuntimeEnv is the whole environment of minipod-init's own runtime, for
// init and enter alike (the container's is in config.json). One P keeps
// the runtime from starting threads it has no use for while every
// container of the pod starts at once. With GOMAXPROCS set, the runtime
// reads the cgroup's CPU limit only once, yet keeps its files open for
// good, at the lowest free numbers of a process whose runtime starts
// with 3 to 5 free (enter's entry point, a restarted container's init):
// where ExecEnter then places the user namespace and the handoff, and
// in the container's cgroup, which init does not need to hold.
// containermaxprocs=0 has it close them after that one read.
func RuntimeEnv() []string {
	return []string{"GOMAXPROCS=1", "GODEBUG=" + lean.NoProfileStacks + ",containermaxprocs=0"}
}
