// Package state owns minipod's on-disk layout: where a pod's volatile state,
// data and logs live, the state.json record the monitor keeps current, the
// per-pod lock, and process identities (PID plus start time) that survive PID
// reuse. It is a leaf package: it imports no other minipod package.
package state
