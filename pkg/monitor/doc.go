// Package monitor is the long-lived supervisor of one pod: `minipod
// monitor POD`, started by `up` from the sealed binary, in a mount
// namespace of its own, as a subreaper. It places the pod on the node,
// creates its cgroups, starts the pause process (network, IPC, UTS
// namespaces), makes volumes and the pod's /etc files, attaches the
// network, runs init containers one by one and the app containers
// together, copies their output into CRI log files, restarts them per
// restartPolicy with the kubelet's back-off, answers exec requests, evicts
// the pod over its local-storage limits, and records every change in
// state.json. Everything that changes the pod runs on one event loop
// (run.go); starts, pulls and forks run off it and report back.
//
// Every mount the pod needs outside its containers (tmpfs volumes,
// /dev/shm) lives in the monitor's private mount namespace, so the host's
// mount table never holds a minipod mount, and a killed monitor cannot
// leak one.
package monitor
