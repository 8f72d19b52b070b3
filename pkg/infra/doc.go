// Package infra starts minipod's pause process: the maker of a pod's shared
// network, IPC and UTS namespaces (and, with shareProcessNamespace, PID 1 of
// the pod's PID namespace). Like Kubernetes' pause.c it sleeps, reaps zombies
// and exits 0 on SIGTERM or SIGINT; unlike it, it also sets the pod hostname
// and brings loopback up (before any container's command runs: containers
// may join the namespaces earlier, and wait for Ready), and it exits when
// its lifeline closes: the monitor closes it once it holds the namespaces
// itself, unless pause is the pod's PID 1, which also puts itself under
// the seccomp program the monitor sends (Options.Filter).
package infra
