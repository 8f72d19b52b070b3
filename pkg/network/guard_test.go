package network

import (
	"bytes"
	"fmt"
	"net"
	"testing"

	"github.com/google/nftables"
)

// TestGuardEntries: in a namespace of its own, the guard table is set up
// with the NAT table and then found up to date (its rules read back as
// written, or every attach would rewrite them); an attach adds the pod's
// veth, MAC and address, and keeps the NAT stamp valid; unguardPod takes
// a pod's out, so that it attaches again with another address alone;
// entries of gone veths are pruned once there are pruneAt.
func TestGuardEntries(t *testing.T) {
	natTestNetNS(t)
	subnet := mustCIDR(t, "10.99.0.0/16")
	rules, err := natRulesFor(subnet, "mptbr")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setupNAT(rules); err != nil {
		t.Fatal(err)
	}
	if upToDate, err := setupNAT(rules); err != nil || !upToDate {
		t.Fatalf("the tables just set up are not found up to date (%v)", err)
	}
	c := Config{StateDir: t.TempDir(), Subnet: subnet, Bridge: "mptbr", Gateway: net.IPv4(10, 99, 0, 1)}
	if chk, err := c.ensureNAT(); err != nil || !chk.valid {
		t.Fatalf("no valid stamp after a check (%v)", err)
	}

	a := Owner{Pod: "a", UID: "1"}
	mustGuard(t, c, a, "10.99.0.2")
	if err := c.unguardPod(a); err != nil {
		t.Fatal(err)
	}
	mustGuard(t, c, a, "10.99.0.3")
	if got, want := entriesOf(t, a), [3]int{1, 1, 1}; got != want {
		t.Errorf("a pod attached again has %v entries (ports, MACs, addresses), want %v", got, want)
	}
	if !hasAddr(t, a, "10.99.0.3") || hasAddr(t, a, "10.99.0.2") {
		t.Errorf("the pod's entries are not its new address's alone")
	}

	// Pods attach and leave (detach counts each pod that left its
	// entries); the attach after the pruneAt-th leaving prunes them all,
	// a's too (its veth does not exist either).
	var gone []Owner
	for i := range pruneAt {
		o := Owner{Pod: fmt.Sprintf("gone%d", i), UID: "1"}
		mustGuard(t, c, o, fmt.Sprintf("10.99.1.%d", i+1))
		if i < pruneAt-1 && entriesOf(t, a) == [3]int{} {
			t.Fatalf("entries pruned after %d pods left theirs, before %d", i, pruneAt)
		}
		if err := c.guardLeft(); err != nil {
			t.Fatal(err)
		}
		gone = append(gone, o)
	}
	b := Owner{Pod: "b", UID: "1"}
	mustGuard(t, c, b, "10.99.2.1")
	for _, o := range append(gone, a) {
		if got := entriesOf(t, o); got != [3]int{} {
			t.Errorf("entries of %s (no veth) not pruned: %v", o.Pod, got)
		}
	}
	if c.leftGuards() != 0 {
		t.Errorf("the count of pods that left entries is %d after the pruning", c.leftGuards())
	}
	if got := entriesOf(t, b); got != [3]int{1, 1, 1} {
		t.Errorf("the attaching pod has %v entries", got)
	}
	if err := c.unguardPod(b); err != nil {
		t.Fatal(err)
	}
	if got := entriesOf(t, b); got != [3]int{} {
		t.Errorf("unguardPod left %v entries", got)
	}
}

// mustGuard attaches o's entries as Attach does, after the stamp check,
// which must find the stamp the last attach kept valid.
func mustGuard(t *testing.T, c Config, o Owner, ip string) {
	t.Helper()
	chk, err := c.ensureNAT()
	if err != nil {
		t.Fatal(err)
	}
	if !chk.valid {
		t.Errorf("the NAT stamp went stale before %s's attach", o.Pod)
	}
	if err := c.guardPod(o, net.ParseIP(ip), chk); err != nil {
		t.Fatal(err)
	}
}

// entriesOf counts o's entries in each set.
func entriesOf(t *testing.T, o Owner) [3]int {
	t.Helper()
	var n [3]int
	for i, els := range listGuards(t, o) {
		n[i] = len(els)
	}
	return n
}

func hasAddr(t *testing.T, o Owner, ip string) bool {
	t.Helper()
	for _, e := range listGuards(t, o)[2] {
		if bytes.HasSuffix(e.Key, net.ParseIP(ip).To4()) {
			return true
		}
	}
	return false
}

func listGuards(t *testing.T, o Owner) [3][]nftables.SetElement {
	t.Helper()
	nc, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	own, _, _ := guardKeys(vethName(o), nil, nil)
	els, err := guardElements(nc, func(port []byte) bool { return bytes.Equal(port, own) })
	if err != nil {
		t.Fatal(err)
	}
	return els
}
