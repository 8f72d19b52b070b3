// Package teardown removes what a pod holds on the node: its processes,
// cgroup, network attachment (veth, address lease, hostPorts, NAT rules),
// mounts and files. The pod's monitor uses it when the pod ends; `down`
// and `up` use it for a pod whose monitor is gone.
package teardown
