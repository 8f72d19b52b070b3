// Package ctrinit is the container's side of a container process: init,
// which a container's process is until it execs the command, and the
// confinement (capabilities, user, seccomp, keyring, working directory)
// that init and exec'd commands share.
//
// It links nothing of the host side (cgroups, pod state, manifests), so
// that the small minipod-init program, which every container start runs,
// is a fraction of minipod's size and starts in a fraction of its time.
package ctrinit

// Role is the argv[1] that makes minipod or minipod-init act as container
// init.
const Role = "init"

// SpawnedRole is the argv[1] of init for a command it spawns into the pod's
// PID namespace (SpawnPIDNSEnv). Only minipod-init plays it: a program
// that does not know it (minipod, or an older minipod-init, which would
// run the command itself with the host's /proc) refuses it before it
// does anything.
const SpawnedRole = "init-spawn"
