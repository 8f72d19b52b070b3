package network

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// natTestNetNS moves the calling test goroutine, for good, onto a thread
// in a fresh network namespace: the NAT functions then act on that
// namespace only. The thread is never unlocked, so the runtime kills it
// when the test ends and the namespace dies with it.
func natTestNetNS(t *testing.T) {
	t.Helper()
	testutil.RequiresRoot(t)
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Fatalf("unshare netns: %v", err)
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatalf("find lo: %v", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		t.Fatalf("set lo up: %v", err)
	}
}

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	n.IP = ip
	return n
}

func natRules(t *testing.T) []string {
	t.Helper()
	rules, err := NATRules()
	if err != nil {
		t.Fatalf("NATRules: %v", err)
	}
	return rules
}

func wantNATRules(t *testing.T, want []string) {
	t.Helper()
	if got := natRules(t); !slices.Equal(got, want) {
		t.Fatalf("rules:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
}

// logNFT shows the table as nft sees it; nft runs in the test namespace
// because it is forked from the locked thread.
func logNFT(t *testing.T) {
	t.Helper()
	out, err := exec.Command("nft", "list", "table", "ip", TableName).CombinedOutput()
	if err != nil {
		t.Logf("nft list table (optional): %v: %s", err, out)
		return
	}
	t.Logf("nft list table ip %s:\n%s", TableName, out)
}

const (
	natEgress   = `postrouting: ip saddr 10.89.0.0/16 ip daddr != 10.89.0.0/16 masquerade comment "minipod:egress"`
	natLocalnet = `postrouting: ip saddr 127.0.0.0/8 oifname "minipod0" masquerade comment "minipod:localnet"`
	natHairpin  = `postrouting: ip saddr 10.89.0.0/16 ip daddr 10.89.0.0/16 ct status dnat masquerade comment "minipod:hairpin"`
)

// natFixed is every rule SetupNAT writes for 10.89.0.0/16 on minipod0, in
// listing order.
var natFixed = []string{
	natEgress, natLocalnet, natHairpin,
	`input: iifname "minipod0" ip daddr 127.0.0.0/8 ct status dnat accept comment "minipod:loopback-hostport"`,
	`input: iifname "minipod0" ip daddr 127.0.0.0/8 drop comment "minipod:loopback-guard"`,
	`forward: oifname "minipod0" ct state established,related accept comment "minipod:forward-replies"`,
	`forward: oifname "minipod0" ct status dnat accept comment "minipod:forward-hostport"`,
	`forward: iifname "minipod0" oifname "minipod0" accept comment "minipod:forward-pods"`,
	`forward: oifname "minipod0" drop comment "minipod:forward-guard"`,
	`forward: iifname "minipod0" ip daddr 10.96.0.1 meta l4proto tcp reject with tcp reset comment "minipod:no-api-server"`,
	`forward: iifname "minipod0" ip daddr 10.96.0.1 reject comment "minipod:no-api-server"`,
}

// withFixed is rules followed by natFixed.
func withFixed(rules ...string) []string { return append(rules, natFixed...) }

func TestNATSetupIdempotent(t *testing.T) {
	testutil.RequiresRoot(t)
	outer, err := netns.Get()
	if err != nil {
		t.Fatalf("get netns: %v", err)
	}
	defer outer.Close()
	outerHad := hasNATTable(t, int(outer))
	natTestNetNS(t)

	subnet := mustCIDR(t, "10.89.0.0/16")
	for range 2 {
		if err := SetupNAT(subnet, "minipod0"); err != nil {
			t.Fatalf("SetupNAT: %v", err)
		}
	}
	wantNATRules(t, natFixed)
	checkNATChains(t)
	logNFT(t)

	if got := hasNATTable(t, int(outer)); got != outerHad {
		t.Fatalf("the outer namespace's table changed: had %v, has %v", outerHad, got)
	}
}

func hasNATTable(t *testing.T, nsFd int) bool {
	t.Helper()
	c, err := nftables.New(nftables.WithNetNSFd(nsFd))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return slices.ContainsFunc(tables, func(tb *nftables.Table) bool { return tb.Name == TableName })
}

func checkNATChains(t *testing.T) {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatalf("list chains: %v", err)
	}
	want := map[string][2]int{
		chainPrerouting:  {unix.NF_INET_PRE_ROUTING, -100},
		chainOutput:      {unix.NF_INET_LOCAL_OUT, -100},
		chainPostrouting: {unix.NF_INET_POST_ROUTING, 100},
		chainInput:       {unix.NF_INET_LOCAL_IN, 0},
		chainForward:     {unix.NF_INET_FORWARD, 0},
	}
	for _, ch := range chains {
		w, ok := want[ch.Name]
		if ch.Table.Name != TableName || !ok {
			t.Errorf("unexpected chain %s %s", ch.Table.Name, ch.Name)
			continue
		}
		delete(want, ch.Name)
		got := [2]int{int(*ch.Hooknum), int(*ch.Priority)}
		typ := nftables.ChainTypeNAT
		if ch.Name == chainInput || ch.Name == chainForward {
			typ = nftables.ChainTypeFilter
		}
		if ch.Type != typ || got != w {
			t.Errorf("chain %s: type %s hook/prio %v, want %s %v", ch.Name, ch.Type, got, typ, w)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing chains %v", want)
	}
}

// Several callers at once (the brief's processes are threads here, each in
// the test namespace) must end with one table and no duplicate rules.
func TestNATSetupConcurrent(t *testing.T) {
	natTestNetNS(t)
	self, err := netns.Get()
	if err != nil {
		t.Fatalf("get netns: %v", err)
	}
	defer self.Close()
	const n = 8
	subnet := mustCIDR(t, "10.89.0.0/16")
	errs := make(chan error, n)
	for i := range n {
		go func() {
			// Locked and never unlocked: the thread dies with the goroutine.
			runtime.LockOSThread()
			if err := netns.Set(self); err != nil {
				errs <- err
				return
			}
			m := PortMapping{HostPort: uint16(9000 + i), ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.89.0.9")}
			err := SetupNAT(subnet, "minipod0")
			if err == nil {
				err = AddPortMappings(fmt.Sprintf("pod%d", i), []PortMapping{m})
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent setup: %v", err)
		}
	}
	got := natRules(t)
	if len(got) != 2*n+len(natFixed) || !slices.Equal(got[2*n:], natFixed) {
		t.Fatalf("rules after concurrent setup: %q", got)
	}
}

func TestNATPortMappingsAndRemovePod(t *testing.T) {
	natTestNetNS(t)
	if err := SetupNAT(mustCIDR(t, "10.89.0.0/16"), "minipod0"); err != nil {
		t.Fatalf("SetupNAT: %v", err)
	}
	web := []PortMapping{
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.89.0.5")},
		{HostIP: net.ParseIP("192.168.1.10"), HostPort: 5353, ContainerPort: 53, Protocol: "udp", PodIP: net.ParseIP("10.89.0.5")},
	}
	db := []PortMapping{{HostIP: net.IPv4zero, HostPort: 5432, ContainerPort: 5432, Protocol: "tcp", PodIP: net.ParseIP("10.89.0.6")}}
	for _, step := range []struct {
		pod string
		ms  []PortMapping
	}{{"web", web}, {"db", db}, {"web", web}} { // web twice: no duplicates
		if err := AddPortMappings(step.pod, step.ms); err != nil {
			t.Fatalf("AddPortMappings %s: %v", step.pod, err)
		}
	}
	webRules := []string{
		`meta l4proto tcp th dport 8080 fib daddr type local dnat to 10.89.0.5:80 comment "minipod:pod=web"`,
		`meta l4proto udp th dport 5353 ip daddr 192.168.1.10 fib daddr type local dnat to 10.89.0.5:53 comment "minipod:pod=web"`,
	}
	dbRule := `meta l4proto tcp th dport 5432 fib daddr type local dnat to 10.89.0.6:5432 comment "minipod:pod=db"`
	logNFT(t)
	wantNATRules(t, withFixed(
		"prerouting: "+webRules[0], "prerouting: "+webRules[1], "prerouting: "+dbRule,
		"output: "+webRules[0], "output: "+webRules[1], "output: "+dbRule,
	))

	for range 2 {
		if err := RemovePod("web"); err != nil {
			t.Fatalf("RemovePod: %v", err)
		}
	}
	if err := RemovePod("nosuchpod"); err != nil {
		t.Fatalf("RemovePod of an unknown pod: %v", err)
	}
	wantNATRules(t, withFixed("prerouting: "+dbRule, "output: "+dbRule))

	for range 2 {
		if err := TeardownNAT(); err != nil {
			t.Fatalf("TeardownNAT: %v", err)
		}
	}
	wantNATRules(t, []string{})
	if err := RemovePod("db"); err != nil {
		t.Fatalf("RemovePod without table: %v", err)
	}
}

// The match is written in the order the rule evaluates: protocol before
// port, so the port is read from a header of the right kind.
func TestNATRuleOrderIsProtoThenPort(t *testing.T) {
	natTestNetNS(t)
	m := PortMapping{HostPort: 1, ContainerPort: 2, Protocol: "udp", PodIP: net.ParseIP("10.1.0.2")}
	if err := AddPortMappings("p", []PortMapping{m}); err != nil {
		t.Fatalf("AddPortMappings without SetupNAT: %v", err)
	}
	got := natRules(t)
	if len(got) != 2 || !strings.Contains(got[0], "meta l4proto udp th dport 1 ") {
		t.Fatalf("rules: %q", got)
	}
}

func TestNATRejectsBadMappings(t *testing.T) {
	natTestNetNS(t)
	pod := net.ParseIP("10.89.0.5")
	bad := []PortMapping{
		{HostPort: 80, ContainerPort: 80, Protocol: "icmp", PodIP: pod},
		{HostPort: 80, ContainerPort: 80, Protocol: "TCP", PodIP: pod},
		{HostPort: 80, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("fd00::5")},
		{HostPort: 80, ContainerPort: 80, Protocol: "tcp", PodIP: nil},
		{HostIP: net.ParseIP("fd00::1"), HostPort: 80, ContainerPort: 80, Protocol: "tcp", PodIP: pod},
		{HostPort: 0, ContainerPort: 80, Protocol: "tcp", PodIP: pod},
	}
	good := PortMapping{HostPort: 81, ContainerPort: 81, Protocol: "tcp", PodIP: pod}
	for _, m := range bad {
		// A bad mapping fails the whole call: no half-mapped pod.
		if err := AddPortMappings("p", []PortMapping{good, m}); err == nil {
			t.Errorf("AddPortMappings(%+v) succeeded", m)
		}
	}
	if err := AddPortMappings("", []PortMapping{good}); err == nil {
		t.Error("AddPortMappings with empty pod name succeeded")
	}
	if err := SetupNAT(mustCIDR(t, "fd00::/64"), "minipod0"); err == nil {
		t.Error("SetupNAT with an IPv6 subnet succeeded")
	}
	if err := SetupNAT(mustCIDR(t, "10.89.0.0/16"), "a-bridge-name-too-long"); err == nil {
		t.Error("SetupNAT with a 22-byte bridge name succeeded")
	}
	wantNATRules(t, []string{})
}

func TestNATLongPodNames(t *testing.T) {
	a, b := strings.Repeat("a", 253), strings.Repeat("a", 252)+"b"
	ca, cb := podComment(a), podComment(b)
	if len(ca) > maxCommentLen || len(cb) > maxCommentLen || ca == cb {
		t.Fatalf("comments %q (%d) and %q (%d)", ca, len(ca), cb, len(cb))
	}
	if podComment("web") != "minipod:pod=web" {
		t.Fatalf("short name changed: %q", podComment("web"))
	}

	natTestNetNS(t)
	m := PortMapping{HostPort: 81, ContainerPort: 81, Protocol: "tcp", PodIP: net.ParseIP("10.1.0.2")}
	for _, pod := range []string{a, b} {
		if err := AddPortMappings(pod, []PortMapping{m}); err != nil {
			t.Fatalf("AddPortMappings: %v", err)
		}
	}
	if err := RemovePod(a); err != nil {
		t.Fatalf("RemovePod: %v", err)
	}
	got := natRules(t)
	if len(got) != 2 || !strings.Contains(got[0], cb) || !strings.Contains(got[1], cb) {
		t.Fatalf("after removing the first long-named pod: %q", got)
	}
}

// natTestSysctl writes a sysctl of the calling thread's network namespace.
func natTestSysctl(t *testing.T, path, value string) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/net/ipv4/"+path, []byte(value), 0o644); err != nil {
		t.Fatalf("write sysctl %s: %v", path, err)
	}
}

// natTestPeer creates a namespace wired to the test namespace by a veth
// pair: hostIf/hostAddr on this side, peerAddr inside with a default route
// back. It returns the new namespace; the thread stays in the test one.
func natTestPeer(t *testing.T, hostIf, hostAddr, peerAddr string) netns.NsHandle {
	t.Helper()
	self, err := netns.Get()
	if err != nil {
		t.Fatalf("get netns: %v", err)
	}
	defer self.Close()
	peer, err := netns.New()
	if err != nil {
		t.Fatalf("new netns: %v", err)
	}
	t.Cleanup(func() { peer.Close() })
	if err := netns.Set(self); err != nil {
		t.Fatalf("back to test netns: %v", err)
	}
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: hostIf}, PeerName: hostIf + "p"}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", hostIf, err)
	}
	natTestAddr(t, nil, hostIf, hostAddr)
	h, err := netlink.NewHandleAt(peer)
	if err != nil {
		t.Fatalf("netlink handle in peer: %v", err)
	}
	defer h.Close()
	inner, err := netlink.LinkByName(hostIf + "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetNsFd(inner, int(peer)); err != nil {
		t.Fatalf("move %s: %v", inner.Attrs().Name, err)
	}
	natTestAddr(t, h, hostIf+"p", peerAddr)
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err != nil {
		t.Fatalf("peer lo up: %v", err)
	}
	gw := net.ParseIP(strings.Split(hostAddr, "/")[0])
	if err := h.RouteAdd(&netlink.Route{Gw: gw}); err != nil {
		t.Fatalf("peer default route: %v", err)
	}
	return peer
}

// natTestAddr sets addr on link name and brings it up (h nil: this netns).
func natTestAddr(t *testing.T, h *netlink.Handle, name, addr string) {
	t.Helper()
	if h == nil {
		h = &netlink.Handle{}
	}
	link, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	a, err := netlink.ParseAddr(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddrAdd(link, a); err != nil {
		t.Fatalf("add %s to %s: %v", addr, name, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		t.Fatalf("set %s up: %v", name, err)
	}
}

// natTestServe listens on addr inside ns and answers each connection with
// the source address it sees, so the test can tell masqueraded from
// untouched sources.
func natTestServe(t *testing.T, ns netns.NsHandle, addr string) {
	t.Helper()
	ln := natTestInNS(t, ns, func() (net.Listener, error) { return net.Listen("tcp", addr) })
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, c.RemoteAddr().(*net.TCPAddr).IP)
			c.Close()
		}
	}()
}

// natTestInNS runs f with the thread switched to ns (netns.None(): stay).
// Sockets keep the namespace they were created in.
func natTestInNS[T any](t *testing.T, ns netns.NsHandle, f func() (T, error)) T {
	t.Helper()
	if !ns.IsOpen() {
		v, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	self, err := netns.Get()
	if err != nil {
		t.Fatalf("get netns: %v", err)
	}
	defer self.Close()
	if err := netns.Set(ns); err != nil {
		t.Fatalf("enter netns: %v", err)
	}
	v, err := f()
	if err := netns.Set(self); err != nil {
		t.Fatalf("back to test netns: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// natTestDial connects from ns to addr and returns the source address the
// pod saw, or the dial error.
func natTestDial(t *testing.T, ns netns.NsHandle, addr string, timeout time.Duration) (string, error) {
	t.Helper()
	type result struct {
		seen string
		err  error
	}
	r := natTestInNS(t, ns, func() (result, error) {
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return result{err: err}, nil
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		return result{seen: strings.TrimSpace(line), err: err}, nil
	})
	return r.seen, r.err
}

func TestNATTraffic(t *testing.T) {
	natTestNetNS(t)
	pod := natTestPeer(t, "mp-h", "10.99.0.1/24", "10.99.0.2/24")
	client := natTestPeer(t, "mp-c", "10.98.0.1/24", "10.98.0.2/24")
	natTestSysctl(t, "ip_forward", "1")
	natTestServe(t, pod, "10.99.0.2:80")

	if err := SetupNAT(mustCIDR(t, "10.99.0.0/24"), "mp-h"); err != nil {
		t.Fatalf("SetupNAT: %v", err)
	}
	err := AddPortMappings("traffic", []PortMapping{
		{HostPort: 18080, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.99.0.2")},
		{HostIP: net.ParseIP("10.99.0.1"), HostPort: 18081, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.99.0.2")},
	})
	if err != nil {
		t.Fatalf("AddPortMappings: %v", err)
	}
	logNFT(t)

	reach := func(ns netns.NsHandle, addr, wantSource string) {
		t.Helper()
		seen, err := natTestDial(t, ns, addr, 5*time.Second)
		if err != nil || seen != wantSource {
			t.Errorf("%s: pod saw source %q (err %v), want %q", addr, seen, err, wantSource)
		}
	}
	refused := func(ns netns.NsHandle, addr string) {
		t.Helper()
		if _, err := natTestDial(t, ns, addr, 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: got %v, want connection refused", addr, err)
		}
	}

	node := netns.None()
	// From the node itself (output chain).
	reach(node, "10.99.0.1:18080", "10.99.0.1")
	reach(node, "10.99.0.1:18081", "10.99.0.1")
	refused(node, "127.0.0.1:18081") // that mapping is bound to 10.99.0.1 only

	// 127.0.0.1 is a martian on mp-h until route_localnet allows it.
	if _, err := natTestDial(t, node, "127.0.0.1:18080", 300*time.Millisecond); err == nil {
		t.Error("127.0.0.1:18080 answered without route_localnet")
	}
	natTestSysctl(t, "conf/mp-h/route_localnet", "1")
	reach(node, "127.0.0.1:18080", "10.99.0.1") // masqueraded to the bridge address

	// From another machine (prerouting): the source is kept.
	reach(client, "10.98.0.1:18080", "10.98.0.2")
	refused(client, "10.98.0.1:18081")

	if err := RemovePod("traffic"); err != nil {
		t.Fatalf("RemovePod: %v", err)
	}
	refused(node, "10.99.0.1:18080")
	refused(client, "10.98.0.1:18080")
}
