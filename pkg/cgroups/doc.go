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
// Directories, limits and the device allowlist (v1: devices.allow/deny;
// v2: an eBPF device program) are written by
// github.com/opencontainers/cgroups, runc's own cgroup library, so minipod
// gets the kernel quirks it has learnt over a decade (cpuset copying, EBUSY
// retries, the devices emulator). This package adds what a pod runtime
// needs on top: deciding the hierarchy, placing a process in a cgroup
// before it runs (Placement: the forking thread joins the v1 cgroups, the
// v2 one is entered with clone3's CLONE_INTO_CGROUP), and killing and
// removing a pod's whole subtree, which `down` does even when the pod's
// monitor was killed.
//
// Limits come from the OCI resources of a container's config.json, as the
// kubelet and containerd produce them (limits.go): memory, with no swap
// beyond it unless asked; CPU shares (a v2 weight), CFS quota and period;
// pids; hugepages; and on v2 a few files of the "unified" map, of which
// memory.oom.group is the one that matters (OOMGroup). A field minipod
// does not apply is refused by name, and so is a limit whose controller
// the cgroup lacks (a v1 hierarchy that is not mounted, a v2 controller
// the parent does not offer) — except hugepage limits, which are dropped
// without a hugetlb controller, as the kubelet and containerd do. Create
// applies them with the device rules, Update changes them later (the
// pod's cgroup, in-place resize). OOMKills tells an OOM kill from any
// other SIGKILL by the cgroup's own counter, and Stats reads CPU time and
// the kubelet's memory working set, for `minipod top`.
package cgroups
