// Package pod holds minipod's command-line verbs, one file each: up, down,
// get, describe, logs, exec, attach, top, port-forward, network reset.
// Each works from the files the pods' monitors keep (pkg/state) and talks
// to a live monitor only through signals and the exec socket.
//
// `up` validates the manifest, claims the pod name, stores the manifest
// and forks the pod's monitor (pkg/monitor) into a mount namespace of its
// own, then waits on a pipe until the monitor reports the pod running,
// pending or failed. `down` asks the monitor to stop (SIGTERM); if the
// monitor is gone, it removes the pod itself (pkg/teardown).
package pod
