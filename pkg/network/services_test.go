package network

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// ---- unit tests: what SyncServices would write, without a kernel ----

func svcTestPorts() []ServicePort {
	ip := net.ParseIP
	return []ServicePort{
		{Name: "default/web:http", ClusterIP: ip("10.96.0.10"), Port: 80, NodePort: 30080, Protocol: "tcp",
			Endpoints: []Endpoint{{IP: ip("10.89.0.6"), Port: 8080}, {IP: ip("10.89.0.5"), Port: 8080}}},
		{Name: "default/empty:", ClusterIP: ip("10.96.0.12"), Port: 80, NodePort: 30081, Protocol: "tcp"},
		{Name: "kube-system/dns:dns", ClusterIP: ip("10.96.0.11"), Port: 53, Protocol: "udp", Local: true,
			Affinity: 3 * time.Hour, Endpoints: []Endpoint{{IP: ip("10.89.0.7"), Port: 5353}}},
	}
}

func TestServiceRulesRender(t *testing.T) {
	d, err := buildServices(svcTestPorts())
	if err != nil {
		t.Fatal(err)
	}
	web, dns := d.services[0].chain.Name, d.services[1].chain.Name
	ep5, ep6, ep7 := d.endpoints[0].chain.Name, d.endpoints[1].chain.Name, d.endpoints[2].chain.Name
	aff := d.affinity[0].Name
	for _, n := range []string{web, dns, ep5, ep6, ep7, aff} {
		t.Log(n)
	}
	if !strings.HasSuffix(web, "-default/web/tcp/http") || !strings.HasSuffix(dns, "-kube-system/dns/udp/dns") ||
		!strings.HasSuffix(ep5, "-default/web/tcp/http__10.89.0.5/8080") || !strings.HasSuffix(ep6, "__10.89.0.6/8080") ||
		!strings.HasSuffix(ep7, "-kube-system/dns/udp/dns__10.89.0.7/5353") || !strings.HasPrefix(aff, "affinity-") ||
		!strings.HasSuffix(aff, "-kube-system/dns/udp/dns__10.89.0.7/5353") {
		t.Fatalf("names: %s %s %s %s %s %s", web, dns, ep5, ep6, ep7, aff)
	}
	cWeb, cDNS := `comment "minipod:service=default/web:http"`, `comment "minipod:service=kube-system/dns:dns"`
	want := []string{
		"map service-ips: 10.96.0.10 . tcp . 80 : goto " + web,
		"map service-ips: 10.96.0.11 . udp . 53 : goto " + dns,
		"map service-nodeports: tcp . 30080 : goto " + web,
		"map no-endpoint-services: 10.96.0.12 . tcp . 80 : goto services-reject",
		"map no-endpoint-nodeports: tcp . 30081 : goto services-reject",
		"set " + aff + ": timeout 3h0m0s",
		`services-reject: meta l4proto tcp reject with tcp reset comment "minipod:no-endpoints-reject"`,
		`services-reject: reject comment "minipod:no-endpoints-reject"`,
		`services: ip daddr . meta l4proto . th dport vmap @service-ips comment "minipod:service-ips"`,
		`services: fib daddr type local meta l4proto . th dport vmap @service-nodeports comment "minipod:service-nodeports"`,
		`services-no-endpoints: ip daddr . meta l4proto . th dport vmap @no-endpoint-services comment "minipod:no-endpoint-services"`,
		`services-no-endpoints: fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports comment "minipod:no-endpoint-nodeports"`,
		`services-dnat-prerouting: jump services comment "minipod:services"`,
		`services-dnat-output: jump services comment "minipod:services"`,
		`services-filter-input: ct state new jump services-no-endpoints comment "minipod:service-endpoints-check"`,
		`services-filter-forward: ct state new jump services-no-endpoints comment "minipod:service-endpoints-check"`,
		`services-filter-output: ct state new jump services-no-endpoints comment "minipod:service-endpoints-check"`,
		ep5 + ": meta l4proto tcp dnat to 10.89.0.5:8080 " + cWeb,
		ep6 + ": meta l4proto tcp dnat to 10.89.0.6:8080 " + cWeb,
		ep7 + ": update @" + aff + " { ip saddr } " + cDNS,
		ep7 + ": meta l4proto udp dnat to 10.89.0.7:5353 " + cDNS,
		web + ": numgen random mod 2 vmap { 0 : goto " + ep5 + ", 1 : goto " + ep6 + " } " + cWeb,
		dns + ": ip saddr @" + aff + " goto " + ep7 + " " + cDNS,
		dns + ": numgen random mod 1 vmap { 0 : goto " + ep7 + " } " + cDNS,
	}
	if got := d.lines(); !slices.Equal(got, want) {
		t.Fatalf("rules:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
	empty, err := buildServices(nil)
	if err != nil || len(empty.lines()) != 0 {
		t.Fatalf("no ports: %q, %v", empty.lines(), err)
	}
}

func TestServiceChainNames(t *testing.T) {
	ports := svcTestPorts()
	a, _ := buildServices(ports)
	// The same input in another order (services, endpoints) names the
	// same chains: nothing to rewrite when the tracker reorders.
	rev := slices.Clone(ports)
	slices.Reverse(rev)
	rev[2].Endpoints = []Endpoint{ports[0].Endpoints[1], ports[0].Endpoints[0]}
	b, _ := buildServices(rev)
	if !slices.Equal(a.lines(), b.lines()) {
		t.Fatalf("order changed the rules:\n%q\n%q", a.lines(), b.lines())
	}
	// A chain's name follows its content: another endpoint, another
	// service chain; the untouched endpoint keeps its chain.
	more := slices.Clone(ports)
	more[0].Endpoints = append(slices.Clone(more[0].Endpoints), Endpoint{IP: net.ParseIP("10.89.0.8"), Port: 8080})
	c, _ := buildServices(more)
	if a.services[0].chain.Name == c.services[0].chain.Name {
		t.Error("service chain kept its name with another endpoint")
	}
	if a.endpoints[1].chain.Name != c.endpoints[1].chain.Name {
		t.Error("an unchanged endpoint chain was renamed")
	}
	// Another affinity timeout, other sets (a set's timeout is fixed).
	longer := slices.Clone(ports)
	longer[2].Affinity = time.Hour
	e, _ := buildServices(longer)
	if e.affinity[0].Name == a.affinity[0].Name || e.endpoints[2].chain.Name == a.endpoints[2].chain.Name {
		t.Error("affinity timeout did not rename the set and its endpoint chain")
	}

	// Longest names Kubernetes allows, and a hostile one: bounded, and
	// only characters nft accepts in a bare name.
	long := ServicePort{
		Name:      strings.Repeat("n", 63) + "/" + strings.Repeat("s", 63) + ":" + strings.Repeat("p", 15),
		ClusterIP: net.ParseIP("10.96.0.1"), Port: 65535, NodePort: 32767, Protocol: "sctp", Affinity: time.Second,
		Endpoints: []Endpoint{{IP: net.ParseIP("255.255.255.254"), Port: 65535}},
	}
	odd := ServicePort{Name: `ns/a b"c{}:x;y`, ClusterIP: net.ParseIP("10.96.0.2"), Port: 1, Protocol: "tcp",
		Endpoints: []Endpoint{{IP: net.ParseIP("10.89.0.2"), Port: 1}}}
	huge := ServicePort{Name: strings.Repeat("x", 400), ClusterIP: net.ParseIP("10.96.0.3"), Port: 1, Protocol: "udp",
		Endpoints: []Endpoint{{IP: net.ParseIP("10.89.0.2"), Port: 1}}}
	d, err := buildServices([]ServicePort{long, odd, huge})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ch := range append(d.endpoints, d.services...) {
		names = append(names, ch.chain.Name)
	}
	for _, s := range d.affinity {
		names = append(names, s.Name)
	}
	for _, n := range names {
		if len(n) > 255 || strings.ContainsAny(n, " \"{};:") {
			t.Errorf("name %q (%d bytes)", n, len(n))
		}
	}
	for _, ch := range append(d.endpoints, d.services...) {
		for _, r := range ch.rules {
			if c := ruleComment(r); len(c) > maxCommentLen {
				t.Errorf("comment %q is %d bytes", c, len(c))
			}
		}
	}
	if svcComment("a", maxCommentLen) != "minipod:service=a" {
		t.Errorf("short comment changed: %q", svcComment("a", maxCommentLen))
	}
	if x, y := svcComment(strings.Repeat("a", 200), maxCommentLen), svcComment(strings.Repeat("a", 199)+"b", maxCommentLen); x == y {
		t.Errorf("long names share comment %q", x)
	}
}

func TestServiceRejectsBadPorts(t *testing.T) {
	good := svcTestPorts()[0]
	bad := []func(*ServicePort){
		func(p *ServicePort) { p.Protocol = "TCP" },
		func(p *ServicePort) { p.Protocol = "icmp" },
		func(p *ServicePort) { p.ClusterIP = net.ParseIP("fd00::1") },
		func(p *ServicePort) { p.ClusterIP = nil },
		func(p *ServicePort) { p.Port = 0 },
		func(p *ServicePort) { p.Affinity = -time.Second },
		func(p *ServicePort) { p.Endpoints = []Endpoint{{IP: net.ParseIP("fd00::5"), Port: 1}} },
		func(p *ServicePort) { p.Endpoints = []Endpoint{{IP: net.ParseIP("10.89.0.5"), Port: 0}} },
	}
	for i, f := range bad {
		p := good
		f(&p)
		if _, err := buildServices([]ServicePort{p}); err == nil {
			t.Errorf("bad port %d accepted", i)
		}
	}
	dupIP := good
	dupIP.Name, dupIP.NodePort = "default/other:http", 0
	if _, err := buildServices([]ServicePort{good, dupIP}); err == nil || !strings.Contains(err.Error(), "default/web:http") {
		t.Errorf("duplicate service address: %v", err)
	}
	dupNode := good
	dupNode.Name, dupNode.ClusterIP = "default/other:http", net.ParseIP("10.96.0.99")
	if _, err := buildServices([]ServicePort{good, dupNode}); err == nil {
		t.Error("duplicate NodePort accepted")
	}
	// Two ports sharing an endpoint (one pod serving two services, or the
	// same name twice): every chain and set is made once.
	twin := good
	twin.ClusterIP, twin.NodePort = net.ParseIP("10.96.0.98"), 0
	other := good
	other.Name, other.ClusterIP, other.NodePort, other.Affinity = "default/other:http", net.ParseIP("10.96.0.97"), 0, time.Minute
	d, err := buildServices([]ServicePort{good, twin, other, other})
	if err == nil {
		t.Error("the same service port twice accepted")
	}
	other2 := other
	other2.ClusterIP = net.ParseIP("10.96.0.96")
	d, err = buildServices([]ServicePort{good, twin, other, other2})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, ch := range append(append(slices.Clone(d.endpoints), d.services...), d.fixed...) {
		if names[ch.chain.Name] {
			t.Errorf("chain %s twice", ch.chain.Name)
		}
		names[ch.chain.Name] = true
	}
	if len(d.endpoints) != 4 || len(d.services) != 2 || len(d.affinity) != 2 || len(d.elems[mapServiceIPs]) != 4 {
		t.Errorf("%d endpoint chains, %d service chains, %d sets, %d elements", len(d.endpoints), len(d.services), len(d.affinity), len(d.elems[mapServiceIPs]))
	}
	udp := dupNode
	udp.Protocol = "udp" // same numbers, other protocol: fine
	if _, err := buildServices([]ServicePort{good, udp}); err != nil {
		t.Errorf("tcp and udp on one port: %v", err)
	}
}

// svcObservedOf is what the kernel would report after d was written.
func svcObservedOf(d *svcDesired) *svcObserved {
	o := newSvcObserved()
	o.natReady = true
	for _, group := range [][]*svcChain{d.fixed, d.endpoints, d.services} {
		for _, ch := range group {
			o.chains[ch.chain.Name] = true
		}
	}
	for _, ch := range d.fixed {
		for _, r := range ch.rules {
			o.rules[ch.chain.Name] = append(o.rules[ch.chain.Name], renderRule(r))
		}
	}
	for _, s := range append(slices.Clone(d.affinity), d.maps...) {
		o.sets[s.Name] = true
	}
	for _, m := range d.maps {
		o.elems[m.Name] = map[string]string{}
		for _, e := range d.elems[m.Name] {
			o.elems[m.Name][string(e.key)] = "goto " + e.chain
		}
	}
	return o
}

func TestServiceDiff(t *testing.T) {
	ports := svcTestPorts()
	a, _ := buildServices(ports)
	if p := a.diff(svcObservedOf(a)); !p.empty() {
		t.Fatalf("same state, plan %+v", p)
	}
	if p := a.diff(newSvcObserved()); len(p.addChains) != 13 || len(p.addSets) != 5 || len(p.deletes) != 0 {
		t.Fatalf("from nothing: %d chains, %d sets, %d deletions", len(p.addChains), len(p.addSets), len(p.deletes))
	}

	// One more endpoint for web: its chain and a new service chain are
	// added, the two elements pointing to the old one replaced, and the
	// old chain deleted; nothing else.
	more := slices.Clone(ports)
	more[0].Endpoints = append(slices.Clone(more[0].Endpoints), Endpoint{IP: net.ParseIP("10.89.0.8"), Port: 8080})
	b, _ := buildServices(more)
	p := b.diff(svcObservedOf(a))
	var added []string
	for _, ch := range p.addChains {
		added = append(added, ch.chain.Name)
	}
	oldWeb, newWeb := a.services[0].chain.Name, b.services[0].chain.Name
	wantAdded := []string{b.endpoints[2].chain.Name, newWeb}
	if !slices.Equal(added, wantAdded) || len(p.addSets) != 0 || len(p.rewrite) != 0 {
		t.Errorf("added chains %q sets %d rewrites %d, want %q", added, len(p.addSets), len(p.rewrite), wantAdded)
	}
	if len(p.delElems[mapServiceIPs]) != 1 || len(p.addElems[mapServiceIPs]) != 1 || p.addElems[mapServiceIPs][0].chain != newWeb ||
		len(p.delElems[mapServiceNodePorts]) != 1 || len(p.addElems[mapServiceNodePorts]) != 1 || len(p.addElems) != 2 {
		t.Errorf("element changes: del %v add %v", p.delElems, p.addElems)
	}
	if !slices.Equal(p.deletes, []svcDelete{{name: oldWeb, rank: 3}}) {
		t.Errorf("deletions %+v", p.deletes)
	}

	// A fixed chain someone changed is rewritten.
	o := svcObservedOf(a)
	o.rules[chainServices] = o.rules[chainServices][:1]
	if p := a.diff(o); len(p.rewrite) != 1 || p.rewrite[0].chain.Name != chainServices || len(p.addChains) != 0 {
		t.Errorf("tampered chain: %+v", p)
	}

	// Nothing wanted: everything owned goes, in an order the kernel takes,
	// and nothing else (a chain or set of nat.go, an anonymous set).
	o = svcObservedOf(a)
	none, _ := buildServices(nil)
	p = none.diff(o)
	var order []string
	for _, d := range p.deletes {
		order = append(order, fmt.Sprintf("%d %v %s", d.rank, d.set, d.name))
	}
	if len(p.deletes) != len(o.chains)+len(o.sets) || len(p.addChains)+len(p.addSets)+len(p.addElems)+len(p.delElems) != 0 {
		t.Fatalf("removal plan: %q", order)
	}
	if !slices.IsSortedFunc(p.deletes, func(x, y svcDelete) int { return x.rank - y.rank }) ||
		p.deletes[0].rank != 0 || p.deletes[len(p.deletes)-1].name != a.affinity[0].Name {
		t.Errorf("removal order: %q", order)
	}
	for _, n := range []string{chainPrerouting, chainOutput, chainPostrouting, chainInput, chainForward} {
		if svcOwnsChain(n) {
			t.Errorf("services would own nat.go's chain %s", n)
		}
	}
	if svcOwnsSet("__map0") || svcOwnsSet("__set3") || !svcOwnsSet(mapServiceIPs) || !svcOwnsSet(a.affinity[0].Name) {
		t.Error("services would own an anonymous set")
	}
}

func TestServiceVerdictData(t *testing.T) {
	// NFTA_VERDICT_CODE (NF_JUMP -3, big endian) and NFTA_VERDICT_CHAIN, as
	// the kernel dumps them: 4-byte headers, padded to 4.
	b := []byte{8, 0, 1, 0, 0xff, 0xff, 0xff, 0xfd, 7, 0, 2, 0, 'a', 'b', 0, 0}
	if got := svcVerdictData(b); got != "jump ab" {
		t.Fatalf("decoded %q", got)
	}
	if got := svcVerdictData([]byte{8, 0, 1, 0, 0, 0, 0, 0}); got != "drop" {
		t.Fatalf("decoded %q", got)
	}
}

// ---- root tests, in a throwaway network namespace ----

// The test namespace plays the node: a bridge with the pods' gateway,
// pods (namespaces on veths in the bridge) and a client machine on
// another link, which is also the node's default route (so that service
// IPs, which no interface has, are routable from the node, as on a real
// host).
const (
	svcTestBridge  = "mpsvc0"
	svcTestGateway = "10.99.0.1"
	svcTestNode    = "10.98.0.1"
	svcTestClient  = "10.98.0.2"
)

func svcTestSetup(t *testing.T) (client netns.NsHandle) {
	t.Helper()
	natTestNetNS(t)
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: svcTestBridge}}
	if err := netlink.LinkAdd(br); err != nil {
		t.Fatalf("add bridge: %v", err)
	}
	natTestAddr(t, nil, svcTestBridge, svcTestGateway+"/24")
	natTestSysctl(t, "ip_forward", "1")
	natTestSysctl(t, "conf/"+svcTestBridge+"/route_localnet", "1")
	client = natTestPeer(t, "mp-c", svcTestNode+"/24", svcTestClient+"/24")
	if err := netlink.RouteAdd(&netlink.Route{Gw: net.ParseIP(svcTestClient)}); err != nil {
		t.Fatalf("node default route: %v", err)
	}
	if err := SetupNAT(mustCIDR(t, "10.99.0.0/24"), svcTestBridge); err != nil {
		t.Fatalf("SetupNAT: %v", err)
	}
	return client
}

// svcTestPod is a pod: a namespace whose eth0 is on the bridge, with addr
// and a default route via the gateway.
func svcTestPod(t *testing.T, hostIf, addr string) netns.NsHandle {
	t.Helper()
	self, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	pod, err := netns.New()
	if err != nil {
		t.Fatalf("new netns: %v", err)
	}
	t.Cleanup(func() { pod.Close() })
	if err := netns.Set(self); err != nil {
		t.Fatal(err)
	}
	br, err := netlink.LinkByName(svcTestBridge)
	if err != nil {
		t.Fatal(err)
	}
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: hostIf, MasterIndex: br.Attrs().Index}, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(pod))}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatalf("add veth %s: %v", hostIf, err)
	}
	// As addVeth does: with br_netfilter a DNATed packet back to the pod
	// it came from is bridged out of the port it came in.
	link, err := netlink.LinkByName(hostIf)
	if err == nil {
		err = netlink.LinkSetHairpin(link, true)
	}
	if err == nil {
		err = netlink.LinkSetUp(link)
	}
	if err != nil {
		t.Fatalf("set %s up: %v", hostIf, err)
	}
	h, err := netlink.NewHandleAt(pod)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	natTestAddr(t, h, "eth0", addr+"/24")
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err == nil {
		err = h.RouteAdd(&netlink.Route{Gw: net.ParseIP(svcTestGateway)})
	}
	if err != nil {
		t.Fatalf("configure pod %s: %v", addr, err)
	}
	return pod
}

// svcTestServe answers every TCP connection and UDP datagram on addr (in
// ns) with "name source".
func svcTestServe(t *testing.T, ns netns.NsHandle, addr, name string) {
	t.Helper()
	ln := natTestInNS(t, ns, func() (net.Listener, error) { return net.Listen("tcp", addr) })
	pc := natTestInNS(t, ns, func() (net.PacketConn, error) { return net.ListenPacket("udp", addr) })
	t.Cleanup(func() { ln.Close(); pc.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, name, c.RemoteAddr().(*net.TCPAddr).IP)
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 64)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(fmt.Appendf(nil, "%s %s\n", name, from.(*net.UDPAddr).IP), from)
		}
	}()
}

// svcTestDial connects from ns (netns.None(): the node) to addr over
// network and returns the answer "name source".
func svcTestDial(t *testing.T, ns netns.NsHandle, network, addr string, timeout time.Duration) (string, error) {
	t.Helper()
	type result struct {
		line string
		err  error
	}
	r := natTestInNS(t, ns, func() (result, error) {
		c, err := net.DialTimeout(network, addr, timeout)
		if err != nil {
			return result{err: err}, nil
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(timeout))
		if network == "udp" {
			if _, err := c.Write([]byte("hi")); err != nil {
				return result{err: err}, nil
			}
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		return result{line: strings.TrimSpace(line), err: err}, nil
	})
	return r.line, r.err
}

func svcTestRefused(t *testing.T, ns netns.NsHandle, network, addr string) {
	t.Helper()
	start := time.Now()
	_, err := svcTestDial(t, ns, network, addr, 3*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("%s %s: got %v, want connection refused", network, addr, err)
	} else if d := time.Since(start); d > time.Second {
		t.Errorf("%s %s: refused after %v", network, addr, d)
	}
}

// svcTestSets lists the named sets of the table.
func svcTestSets(t *testing.T) []string {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := c.GetSets(natTable)
	if err != nil {
		return nil // no table
	}
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	return names
}

func svcTestSync(t *testing.T, ports []ServicePort) bool {
	t.Helper()
	sent, err := syncServices(ports, mustCIDR(t, "10.99.0.0/24"), svcTestBridge)
	if err != nil {
		t.Fatalf("SyncServices: %v", err)
	}
	return sent
}

// Both with br_netfilter passing bridged frames to the IP hooks (frames
// between pods on the bridge are then seen by conntrack) and without it
// (then only nat.go's hairpin masquerade brings a pod's answer back
// through the node to be un-DNATed).
func TestServiceTraffic(t *testing.T) {
	for _, brnf := range []string{"0", "1"} {
		t.Run("bridge-nf-call-iptables="+brnf, func(t *testing.T) { svcTestTraffic(t, brnf) })
	}
}

func svcTestTraffic(t *testing.T, brnf string) {
	client := svcTestSetup(t)
	// The setting is the test namespace's own; without the module there is
	// no setting and no br_netfilter.
	const brnfPath = "/proc/sys/net/bridge/bridge-nf-call-iptables"
	if err := os.WriteFile(brnfPath, []byte(brnf), 0o644); err != nil {
		if brnf == "1" {
			t.Skipf("br_netfilter not loaded: %v", err)
		}
	}
	pod1 := svcTestPod(t, "mpsv1", "10.99.0.2")
	pod2 := svcTestPod(t, "mpsv2", "10.99.0.3")
	svcTestServe(t, pod1, "10.99.0.2:8080", "pod1")
	svcTestServe(t, pod2, "10.99.0.3:8080", "pod2")
	// A host socket on the empty service's NodePort: the NodePort must
	// refuse, never reach it.
	svcTestServe(t, netns.None(), "0.0.0.0:30081", "host")
	// A hostPort next to the services, untouched by them.
	hostPort := PortMapping{HostPort: 18080, ContainerPort: 8080, Protocol: "tcp", PodIP: net.ParseIP("10.99.0.2")}
	if err := AddPortMappings("hp", []PortMapping{hostPort}); err != nil {
		t.Fatal(err)
	}
	before := natRules(t)

	ep1 := Endpoint{IP: net.ParseIP("10.99.0.2"), Port: 8080}
	ep2 := Endpoint{IP: net.ParseIP("10.99.0.3"), Port: 8080}
	ports := []ServicePort{
		{Name: "default/web:http", ClusterIP: net.ParseIP("10.96.0.10"), Port: 80, NodePort: 30080, Protocol: "tcp", Endpoints: []Endpoint{ep1, ep2}},
		{Name: "default/dns:", ClusterIP: net.ParseIP("10.96.0.11"), Port: 53, Protocol: "udp", Endpoints: []Endpoint{ep1}},
		{Name: "default/empty:", ClusterIP: net.ParseIP("10.96.0.12"), Port: 80, NodePort: 30081, Protocol: "tcp"},
		{Name: "default/emptyudp:", ClusterIP: net.ParseIP("10.96.0.12"), Port: 53, Protocol: "udp"},
		{Name: "default/self:", ClusterIP: net.ParseIP("10.96.0.13"), Port: 81, Protocol: "tcp", Endpoints: []Endpoint{ep1}},
		{Name: "default/sticky:", ClusterIP: net.ParseIP("10.96.0.14"), Port: 80, Protocol: "tcp", Affinity: 30 * time.Second, Endpoints: []Endpoint{ep1, ep2}},
		{Name: "default/local:", ClusterIP: net.ParseIP("10.96.0.15"), Port: 80, NodePort: 30082, Protocol: "tcp", Local: true, Endpoints: []Endpoint{ep2}},
	}
	if !svcTestSync(t, ports) {
		t.Fatal("first sync sent no batch")
	}
	logNFT(t)
	if svcTestSync(t, ports) {
		t.Error("second sync with the same input sent a batch")
	}

	node := netns.None()
	// A UDP service without endpoints is refused with an ICMP error, which
	// the kernel rate limits per destination; an ICMP redirect, which the
	// node sends when it routes a pod's DNATed packet back out of the
	// bridge (without br_netfilter), resets that budget, and the next
	// error to that pod within a second is not sent. So this one comes
	// first. (TCP gets a reset, which is not rate limited.)
	svcTestRefused(t, pod2, "udp", "10.96.0.12:53")
	// The node's own datagram is dropped in output: its send fails at
	// once with EPERM (the ICMP error would come after), as with
	// kube-proxy.
	if _, err := svcTestDial(t, node, "udp", "10.96.0.12:53", 3*time.Second); !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("node to UDP service without endpoints: %v", err)
	}
	reach := func(ns netns.NsHandle, network, addr, want string) {
		t.Helper()
		got, err := svcTestDial(t, ns, network, addr, 3*time.Second)
		if err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("%s %s: got %q (%v), want %q", network, addr, got, err, want)
		}
	}
	// ClusterIP from the node and from pods; both backends get traffic.
	seen := map[string]int{}
	for range 50 {
		got, err := svcTestDial(t, node, "tcp", "10.96.0.10:80", 3*time.Second)
		if err != nil {
			t.Fatalf("node to web: %v", err)
		}
		seen[strings.Fields(got)[0]]++
	}
	if seen["pod1"] == 0 || seen["pod2"] == 0 {
		t.Errorf("50 connections went %v", seen)
	}
	reach(node, "tcp", "10.96.0.15:80", "pod2 "+svcTestNode) // the node's own address: no masquerade needed
	reach(pod1, "tcp", "10.96.0.15:80", "pod2 "+svcTestGateway)
	reach(client, "tcp", "10.96.0.15:80", "pod2 "+svcTestClient) // routed to the node, source kept
	// Hairpin: a backend reaching its own service, masqueraded by nat.go.
	reach(pod1, "tcp", "10.96.0.13:81", "pod1 "+svcTestGateway)
	// UDP.
	reach(node, "udp", "10.96.0.11:53", "pod1")
	reach(pod2, "udp", "10.96.0.11:53", "pod1 "+svcTestGateway)
	// NodePorts: from another machine (source kept, Cluster as Local), on
	// every local address of the node, 127.0.0.1 included.
	reach(client, "tcp", svcTestNode+":30082", "pod2 "+svcTestClient)
	for range 4 {
		reach(client, "tcp", svcTestNode+":30080", "pod")
		got, _ := svcTestDial(t, client, "tcp", svcTestNode+":30080", 3*time.Second)
		if !strings.HasSuffix(got, " "+svcTestClient) {
			t.Errorf("NodePort from the client: pod saw %q", got)
		}
	}
	reach(node, "tcp", svcTestNode+":30080", "pod")
	reach(node, "tcp", svcTestGateway+":30080", "pod")
	reach(node, "tcp", "127.0.0.1:30082", "pod2 "+svcTestGateway) // localnet masquerade
	reach(pod1, "tcp", svcTestNode+":30082", "pod2 "+svcTestGateway)
	// Session affinity: one client, one backend.
	first, _ := svcTestDial(t, node, "tcp", "10.96.0.14:80", 3*time.Second)
	for range 20 {
		if got, _ := svcTestDial(t, node, "tcp", "10.96.0.14:80", 3*time.Second); got != first || first == "" {
			t.Fatalf("sticky service answered %q then %q", first, got)
		}
	}
	// No endpoints: refused at once, from everywhere, whatever listens.
	svcTestRefused(t, node, "tcp", "10.96.0.12:80")
	svcTestRefused(t, pod1, "tcp", "10.96.0.12:80")
	svcTestRefused(t, client, "tcp", "10.96.0.12:80")
	svcTestRefused(t, client, "tcp", svcTestNode+":30081")
	svcTestRefused(t, node, "tcp", svcTestNode+":30081")
	svcTestRefused(t, node, "tcp", "127.0.0.1:30081")
	// The hostPort still works.
	reach(client, "tcp", svcTestNode+":18080", "pod1 "+svcTestClient)

	// The empty service gains an endpoint: served right after the sync.
	ports[2].Endpoints = []Endpoint{ep2}
	start := time.Now()
	svcTestSync(t, ports)
	t.Logf("sync adding an endpoint took %v", time.Since(start))
	reach(client, "tcp", svcTestNode+":30081", "pod2")
	reach(node, "tcp", "10.96.0.12:80", "pod2")

	// web disappears: its chains go, the others stay.
	webChains := svcTestChains(t, "default/web/")
	if len(webChains) != 3 {
		t.Fatalf("web's chains: %q", webChains)
	}
	svcTestSync(t, slices.Delete(slices.Clone(ports), 0, 1))
	if left := svcTestChains(t, "default/web/"); len(left) != 0 {
		t.Errorf("web's chains left: %q", left)
	}
	if _, err := svcTestDial(t, client, "tcp", svcTestNode+":30080", 300*time.Millisecond); err == nil {
		t.Error("web's NodePort still answers")
	}
	reach(node, "tcp", "10.96.0.15:80", "pod2")

	// No service: nothing of the services is left, the rest is as before.
	if !svcTestSync(t, nil) {
		t.Error("removing every service sent no batch")
	}
	if got := natRules(t); !slices.Equal(got, before) {
		t.Errorf("rules after the last service:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(before, "\n       "))
	}
	if sets := svcTestSets(t); len(sets) != 0 {
		t.Errorf("sets left: %q", sets)
	}
	if left := svcTestChains(t, ""); len(left) != 0 {
		t.Errorf("service chains left: %q", left)
	}
	if svcTestSync(t, nil) {
		t.Error("a second empty sync sent a batch")
	}
	reach(client, "tcp", svcTestNode+":18080", "pod1 "+svcTestClient)
}

// svcTestChains lists the chains SyncServices owns whose name contains s.
func svcTestChains(t *testing.T, s string) []string {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ch := range chains {
		if ch.Table.Name == TableName && svcOwnsChain(ch.Name) && strings.Contains(ch.Name, s) {
			out = append(out, ch.Name)
		}
	}
	return out
}

// SyncServices on a node that never had a pod: no table yet, so it sets
// up nat.go's chains first; with nothing to do it creates nothing.
func TestServiceSyncWithoutTable(t *testing.T) {
	natTestNetNS(t)
	if svcTestSync(t, nil) {
		t.Error("empty sync without a table sent a batch")
	}
	if got := natRules(t); len(got) != 0 {
		t.Fatalf("rules: %q", got)
	}
	p := svcTestPorts()
	svcTestSync(t, p)
	checkFixed := natRules(t)
	for _, r := range natFixed {
		r = strings.ReplaceAll(r, "minipod0", svcTestBridge)
		r = strings.ReplaceAll(r, "10.89.0.0/16", "10.99.0.0/24")
		if !slices.Contains(checkFixed, r) {
			t.Errorf("missing fixed rule %s", r)
		}
	}
	if svcTestSync(t, p) {
		t.Error("second sync sent a batch")
	}
	if err := SyncServices(p, nil, ""); err != nil { // no SetupNAT needed now
		t.Errorf("sync without subnet on a set-up table: %v", err)
	}

	// Someone removes an element and flushes a fixed chain: the next sync
	// puts them back, and only then has nothing to do.
	before := natRules(t)
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := buildServices(p)
	e := d.elems[mapServiceIPs][0]
	if err := c.SetDeleteElements(&nftables.Set{Table: natTable, Name: mapServiceIPs}, []nftables.SetElement{{Key: e.key}}); err != nil {
		t.Fatal(err)
	}
	c.FlushChain(svcFilterOutputChain)
	if err := c.Flush(); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	if !svcTestSync(t, p) {
		t.Error("a tampered table was not repaired")
	}
	if got := natRules(t); !slices.Equal(got, before) {
		t.Errorf("after repair:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(before, "\n       "))
	}
	if svcTestSync(t, p) {
		t.Error("sync after the repair sent a batch")
	}
}

// ~20 services with 2 endpoints each: the cost of a first sync, of a
// sync that changes nothing and of one that adds an endpoint (the path of
// a pod becoming ready).
func TestServiceSyncTiming(t *testing.T) {
	svcTestSetup(t)
	var ports []ServicePort
	for i := range 20 {
		ports = append(ports, ServicePort{
			Name: fmt.Sprintf("default/svc%d:http", i), ClusterIP: net.IPv4(10, 96, 1, byte(i)), Port: 80,
			NodePort: uint16(30000 + i), Protocol: "tcp", Affinity: time.Duration(i%2) * time.Hour,
			Endpoints: []Endpoint{{IP: net.IPv4(10, 99, 0, byte(10+i)), Port: 8080}, {IP: net.IPv4(10, 99, 0, byte(100+i)), Port: 8080}},
		})
	}
	timed := func(what string, ports []ServicePort, wantSent bool) time.Duration {
		t.Helper()
		// Let the previous sync's socket close (it waits for an RCU grace
		// period holding the commit lock): syncs come apart in practice.
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		sent := svcTestSync(t, ports)
		d := time.Since(start)
		if sent != wantSent {
			t.Errorf("%s: sent %v", what, sent)
		}
		t.Logf("%s: %v", what, d)
		return d
	}
	timed("first sync, 20 services x 2 endpoints", ports, true)
	var noop []time.Duration
	for range 5 {
		noop = append(noop, timed("same input again", ports, false))
	}
	for i := range 5 {
		ports[i].Endpoints = append(slices.Clone(ports[i].Endpoints), Endpoint{IP: net.IPv4(10, 99, 0, byte(200+i)), Port: 8080})
		timed("one endpoint more", ports, true)
	}
	ports[7].Endpoints = nil
	timed("a service loses its endpoints", ports, true)
	timed("everything removed", nil, true)
	slices.Sort(noop)
	if noop[2] > 20*time.Millisecond {
		t.Errorf("a sync with nothing to do takes %v", noop[2])
	}
}
