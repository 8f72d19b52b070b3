// Package teardown removes what a pod holds on the node: its processes,
// cgroup, network attachment (address lease, hostPorts, NAT rules; the
// veth is cut off, and goes with the pod's network namespace),
// mounts and files. The pod's monitor uses it when the pod ends; `down`
// and `up` use it for a pod whose monitor is gone.
package teardown
