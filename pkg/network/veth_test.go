package network

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
)

// TestDeleteCutVeths: `network reset` deletes the cut-off veths a bridge
// still has (pairs whose namespace outlived their pod), and nothing else:
// not a veth of another name on it, nor a pod veth on another bridge.
func TestDeleteCutVeths(t *testing.T) {
	testutil.RequiresRoot(t)
	id := make([]byte, 3)
	_, _ = rand.Read(id)
	tag := hex.EncodeToString(id)
	br := addLink(t, &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "mptb" + tag}})
	other := addLink(t, &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "mpto" + tag}})
	cut := addVethOn(t, VethPrefix+tag+"aaaaa", "mptp"+tag+"a", br)
	foreign := addVethOn(t, "mptf"+tag, "mptp"+tag+"b", br)
	elsewhere := addVethOn(t, VethPrefix+tag+"bbbbb", "mptp"+tag+"c", other)
	if err := deleteCutVeths(br); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(cut); err == nil {
		t.Errorf("%s is still there", cut)
	}
	for _, name := range []string{foreign, elsewhere} {
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

// addVethOn adds a pair, name's end enslaved to br and down.
func addVethOn(t *testing.T, name, peer string, br netlink.Link) string {
	t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MasterIndex = name, br.Attrs().Index
	addLink(t, &netlink.Veth{LinkAttrs: attrs, PeerName: peer})
	return name
}
