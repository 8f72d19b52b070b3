// Package cgroups puts every pod and every container of a pod in a cgroup
// of its own, in the kubelet's shape:
//
//	<hierarchy>/minipod/pod<UID>/<container>   one per container
//	<hierarchy>/minipod/pod<UID>/_pause         the pod's pause process
//
// (a container name is a DNS-1123 label, so "_pause" can never be one).
// On cgroup v1 (one hierarchy per controller) the same path exists in the
// hierarchy of every controller minipod uses (v1.go); on cgroup v2 there is
// one tree. The node-level parent is created on first use and
// left in place, like the kubelet's kubepods.
//
// Directories, cpuset inheritance, limits and the device allowlist (v1:
// devices.allow/deny; v2: an eBPF device program) are written by
// github.com/opencontainers/cgroups, runc's own cgroup library, so minipod
// gets the kernel quirks it has learnt over a decade (cpuset copying, EBUSY
// retries, the devices emulator). This package adds what a pod runtime
// needs on top: deciding the hierarchy, placing a process in a cgroup
// before it runs (Placement: the forking thread joins the v1 cgroups, the
// v2 one is entered with clone3's CLONE_INTO_CGROUP), and killing and
// removing a pod's whole subtree, which `down` does even when the pod's
// monitor was killed.
package cgroups
