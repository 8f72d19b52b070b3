// Package state owns minipod's on-disk layout: where a pod's volatile state,
// data and logs live and what every file there is called, the stored
// manifest, the state.json record the monitor keeps current with its typed
// phases, states and reasons, the per-pod and node locks, and process
// identities (PID plus start time) that survive PID reuse. Of minipod's
// packages it imports podspec only (to read a stored manifest back).
package state
