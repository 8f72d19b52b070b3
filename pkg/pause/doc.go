// Package pause is the pod's infra process: it holds the pod's network,
// IPC and UTS (and, shared, PID) namespaces, sets the hostname, brings
// loopback up, sets the pod's sysctls, leaves every filesystem, drops
// every capability and then only waits, reaping orphans. It imports next
// to nothing, so that the minipod-pause program built from it is small:
// one runs per pod for the pod's whole life.
package pause
