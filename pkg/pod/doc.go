// Package pod holds minipod's use cases, one file per verb: up, monitor,
// down, exec, logs, get, describe. It is the only package that knows how the
// others fit together.
//
// Process model (see DESIGN.md): `up` validates the manifest, claims the pod
// name and forks a per-pod monitor into a mount namespace of its own, then
// waits on a pipe until the monitor reports the pod running or failed. The
// monitor is the parent and subreaper of the pod's processes: it starts the
// pause process (network, IPC, UTS namespaces), runs init containers one by
// one, starts the app containers, copies their output into CRI log files,
// restarts them per restartPolicy with the kubelet's back-off, and records
// every change in state.json. `down` asks the monitor to stop (SIGTERM); if
// the monitor is gone, `down` does the same work itself.
//
// Every mount the pod needs outside its containers (tmpfs volumes, /dev/shm)
// lives in the monitor's private mount namespace, so the host's mount table
// never holds a minipod mount, and a killed monitor cannot leak one.
package pod
