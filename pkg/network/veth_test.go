package network

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
)

// TestDeleteCutVeths: `network reset` deletes the veths cutVeth left (a
// pod veth, down, on no bridge: a pair whose namespace outlived its pod)
// and those an older minipod left down on the bridge, and nothing else:
// not a live pod's (up, on the bridge), a veth of another name, nor one
// on another bridge.
func TestDeleteCutVeths(t *testing.T) {
	testutil.RequiresRoot(t)
	tag := linkTag()
	br := addLink(t, &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "mptb" + tag}})
	other := addLink(t, &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "mpto" + tag}})
	cut := addVeth(t, VethPrefix+tag+"aaaaa", "mptp"+tag+"a", nil, false)
	old := addVeth(t, VethPrefix+tag+"ccccc", "mptp"+tag+"d", br, false) // an older minipod's cut
	live := addVeth(t, VethPrefix+tag+"bbbbb", "mptp"+tag+"b", br, true)
	foreign := addVeth(t, "mptf"+tag, "mptp"+tag+"c", nil, false)
	elsewhere := addVeth(t, VethPrefix+tag+"ddddd", "mptp"+tag+"e", other, false)
	if err := deleteCutVeths(br.Attrs().Index); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{cut, old} {
		if _, err := netlink.LinkByName(name); err == nil {
			t.Errorf("%s is still there", name)
		}
	}
	for _, name := range []string{live, foreign, elsewhere} {
		if _, err := netlink.LinkByName(name); err != nil {
			t.Errorf("%s was deleted: %v", name, err)
		}
	}
}

func addLink(t *testing.T, l netlink.Link) netlink.Link {
	t.Helper()
	if err := netlink.LinkAdd(l); err != nil {
		t.Fatalf("add %s: %v", l.Attrs().Name, err)
	}
	t.Cleanup(func() { _ = netlink.LinkDel(l) })
	got, err := netlink.LinkByName(l.Attrs().Name)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// addVeth adds a pair; name's end is on br (nil: none), and up if up.
func addVeth(t *testing.T, name, peer string, br netlink.Link, up bool) string {
	t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	if br != nil {
		attrs.MasterIndex = br.Attrs().Index
	}
	l := addLink(t, &netlink.Veth{LinkAttrs: attrs, PeerName: peer})
	if up {
		if err := netlink.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
	}
	return name
}

// linkTag is a random suffix for a test's link names: runs that crashed
// may have left theirs.
func linkTag() string {
	id := make([]byte, 3)
	_, _ = rand.Read(id)
	return hex.EncodeToString(id)
}
