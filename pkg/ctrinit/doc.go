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
