// Package container holds both sides of one container process.
//
// The container's config.json (an OCI runtime-spec config written by the
// monitor) is the one description of how its processes run: which
// namespaces are joined and which created, the cgroup, the user and
// groups, capabilities, no_new_privs, the seccomp profile, the working
// directory and environment. Start and Exec both read it, and both apply
// the process part through ctrinit.Confine, so every protection holds for exec'd
// processes by construction.
//
// Host side (Start): on a disposable thread that joined the pod's
// namespaces and the container's v1 cgroups (package ns, package cgroups),
// fork `minipod init BUNDLE` (package ctrinit, from the sealed
// minipod-init program or the monitor's sealed copy of its own binary)
// into the namespaces the spec creates (mount, PID) and the container's v2
// cgroup. Child side (package ctrinit): non-dumpable first; read
// config.json; compile the seccomp filter; build the filesystem (package
// mounts); confine; switch user; look the command up as the container
// would; execve.
//
// The handshake is one pipe, close-on-exec in the child: init writes an error
// message and exits if any step fails; a successful execve closes the pipe
// with nothing written. So the host learns "running" or "why not" from a
// single read, with no timeouts or polling.
//
// Exec joins every namespace of a running container and its cgroup,
// confines the thread the same way, and forks the command there, in a
// session of its own, with pipes or a terminal from the container's devpts,
// never the caller's terminal.
package container
