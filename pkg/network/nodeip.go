package network

import (
	"os"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// NodeIP is the node's first global IPv4 address (in the order of its
// interfaces) on an interface that is up and is neither loopback, the
// pod bridge nor a pod's veth: what a pod's status.hostIP says.
//
// It takes one dump of the node's IPv4 addresses. net.Interfaces then
// Addrs took a dump of every link and one of the addresses per candidate:
// ~1 ms and ~90 KB of every pod's start, growing with the pods on the
// node (each has a veth).
func NodeIP(bridge string) string {
	addrs, err := dump(func() ([]netlink.Addr, error) { return netlink.AddrList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		// An IPv4 address's label names its interface ("eth0", or
		// "eth0:1" for an alias of it).
		name, _, _ := strings.Cut(a.Label, ":")
		if a.IP.To4() == nil || !a.IP.IsGlobalUnicast() || name == bridge || strings.HasPrefix(name, VethPrefix) {
			continue
		}
		if linkUp(name) {
			return a.IP.String()
		}
	}
	return ""
}

// linkUp reports whether the interface is administratively up and not
// loopback, from its flags in sysfs.
func linkUp(name string) bool {
	if name == "" || strings.Contains(name, "/") {
		return false
	}
	b, err := os.ReadFile("/sys/class/net/" + name + "/flags")
	if err != nil {
		return false
	}
	flags, err := strconv.ParseUint(strings.TrimSpace(string(b)), 0, 32)
	return err == nil && flags&unix.IFF_UP != 0 && flags&unix.IFF_LOOPBACK == 0
}
