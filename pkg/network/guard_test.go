package network

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// TestGuardNode: a hostNetwork pod's monitor writes the fixed rules,
// among them the node's refusal of the API server's address on output,
// and touches no link: no bridge is made for a pod that has none. A
// connection from the node to the address is refused at once.
func TestGuardNode(t *testing.T) {
	natTestNetNS(t)
	c := Config{Bridge: "minipod0", Subnet: mustCIDR(t, "10.89.0.0/16"), StateDir: t.TempDir()}
	before, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GuardNode(); err != nil {
		t.Fatal(err)
	}
	wantNATRules(t, natFixed)
	if after, err := netlink.LinkList(); err != nil || len(after) != len(before) {
		t.Errorf("links %d before, %d after (%v): GuardNode made one", len(before), len(after), err)
	}
	// A route for the address, so that only the rule can refuse it.
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	api := &net.IPNet{IP: net.ParseIP("10.96.0.1"), Mask: net.CIDRMask(32, 32)}
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: lo.Attrs().Index, Dst: api}); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", "10.96.0.1:443", 3*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial the API server's address from the node: %v, want connection refused", err)
	}
}
