package network

import (
	"bytes"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
)

// TestBridgeKeepsItsMAC: a pod leaving must not change the bridge's
// address, which every other pod has cached for its gateway. A bridge
// without one set takes the lowest of its ports' (the premise, checked
// first); ensureBridge's own bridge has one from its creation, and a
// bridge an older minipod made is pinned at the address it has.
func TestBridgeKeepsItsMAC(t *testing.T) {
	testutil.RequiresRoot(t)
	tag := linkTag()

	old := addLink(t, &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "mptb" + tag}})
	low := addVeth(t, VethPrefix+tag+"aaaaa", "mptp"+tag+"a", old, true)
	high := addVeth(t, VethPrefix+tag+"bbbbb", "mptp"+tag+"b", old, true)
	setMAC(t, low, "02:00:00:00:00:01")
	setMAC(t, high, "02:00:00:00:00:02")
	if got := macOf(t, old.Attrs().Name); got != "02:00:00:00:00:01" {
		t.Fatalf("premise: a bridge without an address of its own has %s, not its lowest port's", got)
	}
	c := Config{Bridge: old.Attrs().Name, Gateway: net.IPv4(10, 200, 0, 1)}
	now, err := netlink.LinkByName(c.Bridge) // as ensureBridge finds it
	if err != nil {
		t.Fatal(err)
	}
	if err := c.pinBridgeMAC(now); err != nil {
		t.Fatal(err)
	}
	delLink(t, low)
	if got := macOf(t, c.Bridge); got != "02:00:00:00:00:01" {
		t.Errorf("an older bridge, pinned, has %s once its lowest port went; want 02:00:00:00:00:01", got)
	}
	checkAssigned(t, c.Bridge)

	c = Config{Bridge: "mptn" + tag, Gateway: net.IPv4(10, 200, 0, 1)}
	br, err := c.createBridge()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = netlink.LinkDel(br) })
	if !bytes.Equal(br.Attrs().HardwareAddr, net.HardwareAddr{0x02, 0x6d, 10, 200, 0, 1}) {
		t.Errorf("a new bridge has %s, want 02:6d:0a:c8:00:01", br.Attrs().HardwareAddr)
	}
	checkAssigned(t, c.Bridge)
	port := addVeth(t, VethPrefix+tag+"ccccc", "mptp"+tag+"c", br, true)
	setMAC(t, port, "02:00:00:00:00:03")
	delLink(t, port)
	if got := macOf(t, c.Bridge); got != "02:6d:0a:c8:00:01" {
		t.Errorf("a new bridge has %s once a lower port came and went", got)
	}
}

func setMAC(t *testing.T, name, mac string) {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	hw, _ := net.ParseMAC(mac)
	if err := netlink.LinkSetHardwareAddr(l, hw); err != nil {
		t.Fatalf("set the address of %s: %v", name, err)
	}
}

func macOf(t *testing.T, name string) string {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Attrs().HardwareAddr.String()
}

func delLink(t *testing.T, name string) {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkDel(l); err != nil {
		t.Fatal(err)
	}
}

func checkAssigned(t *testing.T, name string) {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/" + name + "/addr_assign_type")
	if err != nil || strings.TrimSpace(string(b)) != addrAssignedByHand {
		t.Errorf("%s's addr_assign_type is %q (%v), want %s: its address would follow its ports", name, b, err, addrAssignedByHand)
	}
}
