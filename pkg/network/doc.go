// Package network gives each pod a real network on one node, the way the
// Kubernetes bridge, host-local and portmap CNI plugins do: a host bridge
// with the gateway address, one veth pair per pod (the pod end is eth0 in
// the pod's network namespace), addresses leased from a file-backed store,
// masquerade for egress and DNAT for hostPorts in an nftables table of
// minipod's own, whose filter chains keep pods off the host's loopback and
// other machines off the pods (see guardRules). hostPorts are held by
// sockets of the pod's monitor, and no link on the bridge takes IPv6
// router advertisements. Everything goes through netlink and namespace
// handles; no `ip`, `iptables` or `nft` binary is run.
//
// Every change to the shared host state (bridge, leases, port
// reservations, NAT table, sysctls) happens under one flock, so concurrent
// `up` and `down` of many pods never hand out an address twice or leave a
// half-built table behind.
package network
