// Package container holds both sides of one container process.
//
// Host side (Start): on a thread that has joined the pod's net, IPC and UTS
// namespaces (package ns), fork `minipod init BUNDLE` into new mount and PID
// namespaces. Child side (Init): read BUNDLE/config.json, build the
// filesystem (package mounts), drop capabilities, execve the user command.
//
// The handshake is one pipe, close-on-exec in the child: init writes an error
// message and exits if any step fails; a successful execve closes the pipe
// with nothing written. So the host learns "running" or "why not" from a
// single read, with no timeouts or polling.
//
// Exec joins a running container the same way and forks the command there.
package container

// Role is the argv[1] that makes the minipod binary act as container init.
const Role = "init"
