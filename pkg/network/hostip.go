package network

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// verifyHostIPs refuses a hostIP that is not an IPv4 address of this
// node. The DNAT rules only ever match local destinations, so such a port
// could never be reached; saying so beats a pod that seems published and
// is not (and older rules without that match captured the node's own
// connections to that address).
func verifyHostIPs(ms []PortMapping) error {
	for _, m := range ms {
		if m.HostIP == nil || m.HostIP.IsUnspecified() {
			continue
		}
		local, err := isLocalIPv4(m.HostIP)
		if err != nil {
			return err
		}
		if !local {
			return &PortError{Field: m.field("hostIP"), Value: m.HostIP.String(),
				Detail: "must be an IPv4 address of this node, or empty or 0.0.0.0 for all of them"}
		}
	}
	return nil
}

// isLocalIPv4 asks the kernel's routing tables, as the rules' fib match
// does, whether ip is an address of this node.
func isLocalIPv4(ip net.IP) (bool, error) {
	if ip.To4() == nil {
		return false, nil
	}
	rs, err := netlink.RouteGet(ip)
	if errors.Is(err, unix.ENETUNREACH) || errors.Is(err, unix.EHOSTUNREACH) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up hostIP %s: %w", ip, err)
	}
	return len(rs) > 0 && rs[0].Type == unix.RTN_LOCAL, nil
}
