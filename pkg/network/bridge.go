package network

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureBridge creates the host bridge with the gateway address if it is
// missing, and turns on what routed pod traffic needs: IPv4 forwarding and
// route_localnet on the bridge (hostPorts reached at 127.0.0.1 are DNATed
// to a pod and would otherwise be dropped as martians; the table's input
// chain keeps pods themselves away from 127.0.0.0/8). Router advertisements
// are turned off before the bridge comes up, and again on every call for a
// bridge an older minipod made. The caller holds the lock.
func (c Config) ensureBridge() (netlink.Link, error) {
	br, err := netlink.LinkByName(c.Bridge)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("find bridge %s: %w", c.Bridge, err)
		}
		if br, err = c.createBridge(); err != nil {
			return nil, err
		}
	}
	if err := c.pinBridgeMAC(br); err != nil {
		return nil, err
	}
	if err := c.bridgeAddr(br); err != nil {
		return nil, err
	}
	if err := refuseRouterAdverts(c.Bridge); err != nil {
		return nil, err
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return nil, fmt.Errorf("bring bridge %s up: %w", c.Bridge, err)
	}
	if err := writeSysctl("net/ipv4/conf/"+c.Bridge+"/route_localnet", "1"); err != nil {
		return nil, err
	}
	return br, c.enableForwarding()
}

// createBridge creates the bridge with an address of its own
// (bridgeMAC).
func (c Config) createBridge() (netlink.Link, error) {
	attrs := netlink.NewLinkAttrs()
	attrs.Name = c.Bridge
	attrs.HardwareAddr = bridgeMAC(c.Gateway)
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("create bridge %s: %w", c.Bridge, err)
	}
	br, err := netlink.LinkByName(c.Bridge)
	if err != nil {
		return nil, fmt.Errorf("find bridge %s: %w", c.Bridge, err)
	}
	return br, nil
}

// pinBridgeMAC makes the bridge's address its own. A bridge whose address
// was never set takes the lowest of its ports' and changes when that port
// goes, with the pod that owned it: every other pod still has the old one
// cached for its gateway, and what it sends through the gateway without
// the host rewriting its destination (replies to the node's address, to
// the LAN, to the world) goes to no port, for as long as the entry stays
// reachable, which traffic the host does rewrite keeps confirming. Once
// set, the kernel keeps it (addr_assign_type 3). A bridge an older minipod
// made is pinned at the address it has, which its pods know.
func (c Config) pinBridgeMAC(br netlink.Link) error {
	b, err := os.ReadFile("/sys/class/net/" + c.Bridge + "/addr_assign_type")
	if err == nil && strings.TrimSpace(string(b)) == addrAssignedByHand {
		return nil
	}
	mac := br.Attrs().HardwareAddr
	if len(mac) != 6 || bytes.Equal(mac, make(net.HardwareAddr, 6)) {
		mac = bridgeMAC(c.Gateway)
	}
	if err := netlink.LinkSetHardwareAddr(br, mac); err != nil {
		return fmt.Errorf("set the address of bridge %s: %w", c.Bridge, err)
	}
	return nil
}

// addrAssignedByHand is the addr_assign_type of an address set by hand
// (NET_ADDR_SET).
const addrAssignedByHand = "3"

// bridgeMAC is the bridge's address: locally administered, unicast, and
// the gateway's IPv4 address after it, so that it says what it is.
func bridgeMAC(gw net.IP) net.HardwareAddr {
	mac := net.HardwareAddr{0x02, 0x6d, 0, 0, 0, 0}
	copy(mac[2:], gw.To4())
	return mac
}

func (c Config) bridgeAddr(br netlink.Link) error {
	want := &net.IPNet{IP: c.Gateway, Mask: c.Subnet.Mask}
	addrs, err := dump(func() ([]netlink.Addr, error) { return netlink.AddrList(br, netlink.FAMILY_V4) })
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", c.Bridge, err)
	}
	for _, a := range addrs {
		if a.IPNet.String() == want.String() {
			return nil
		}
	}
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: want}); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("add %s to %s: %w", want, c.Bridge, err)
	}
	return nil
}

// enableForwarding turns net.ipv4.ip_forward on, remembering the value it
// found so removeBridge can put it back when the last pod is gone.
func (c Config) enableForwarding() error {
	cur, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		return fmt.Errorf("read ip_forward: %w", err)
	}
	if strings.TrimSpace(string(cur)) == "1" {
		return nil
	}
	saved := filepath.Join(c.StateDir, "ip_forward.saved")
	if err := os.WriteFile(saved, cur, 0o600); err != nil {
		return fmt.Errorf("save ip_forward: %w", err)
	}
	return writeSysctl("net/ipv4/ip_forward", "1")
}

// restoreForwarding puts ip_forward back to what enableForwarding found;
// called when no pod is left. The caller holds the lock.
func (c Config) restoreForwarding() error {
	saved := filepath.Join(c.StateDir, "ip_forward.saved")
	b, err := os.ReadFile(saved)
	if err != nil {
		return nil // we never changed it
	}
	if err := writeSysctl("net/ipv4/ip_forward", strings.TrimSpace(string(b))); err != nil {
		return err
	}
	return os.Remove(saved)
}

// RemoveBridge deletes the bridge (for `minipod network reset`); refused
// while any pod holds a lease. It takes the lock.
func (c Config) RemoveBridge(alive Alive) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	leases, err := c.reclaim(alive)
	if err != nil {
		return err
	}
	if len(leases) > 0 {
		return fmt.Errorf("remove bridge %s: %d pods still use it", c.Bridge, len(leases))
	}
	br, err := netlink.LinkByName(c.Bridge)
	if err != nil {
		return deleteCutVeths(0)
	}
	if err := deleteCutVeths(br.Attrs().Index); err != nil {
		return err
	}
	if err := netlink.LinkDel(br); err != nil {
		return fmt.Errorf("delete bridge %s: %w", c.Bridge, err)
	}
	// The guard table goes with the NAT table, and with it the entries
	// the count of guardLeft was about.
	_ = os.Remove(c.leftGuardsPath())
	return errors.Join(TeardownNAT(), c.restoreForwarding())
}
