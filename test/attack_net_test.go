package test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Attacks on the node's network from a hostile pod or a hostile manifest.
// Each test first shows the attack path is live (a control that must
// succeed), then that minipod closes it.

// TestNetAttackLoopbackFromPod: a pod that writes raw frames (CAP_NET_RAW)
// sends a SYN to 127.0.0.1 through the bridge, which has route_localnet on
// for hostPorts at 127.0.0.1. A host service bound to loopback must not
// answer it (CVE-2020-8558), while the same crafted SYN to the gateway is
// answered, proving the frames reach the host.
func TestNetAttackLoopbackFromPod(t *testing.T) {
	root(t)
	name := podName("atk-lo")
	pn := upNetPod(t, name, tmpl(idlePod, name, "PORTS", ""))
	secret := serveBanner(t, netns.None(), "tcp4", "127.0.0.1:0", "loopback only")
	control := serveBanner(t, netns.None(), "tcp4", podGateway+":0", "gateway")
	link := openRawLink(t, podNetNS(t, name), "eth0")
	gw := bridgeMAC(t)
	podIP := net.ParseIP(pn.ip)

	if !link.handshake(t, gw, podIP, net.ParseIP(podGateway), control.port, 3*time.Second) {
		t.Fatalf("a crafted SYN from the pod to %s:%d got no SYN-ACK: the test cannot send frames", podGateway, control.port)
	}
	if link.handshake(t, gw, podIP, net.ParseIP("127.0.0.1"), secret.port, 2*time.Second) {
		t.Errorf("the host answered a SYN from pod %s to 127.0.0.1:%d", pn.ip, secret.port)
	}
	if c := secret.accepted(2 * time.Second); c != "" {
		t.Errorf("a host service on 127.0.0.1:%d accepted a connection from the pod (from %s)", secret.port, c)
	}
}

// TestNetAttackHostPortHijack: a manifest may not publish a hostPort on an
// address that is not the node's, nor on a port a host service has (TCP
// or UDP, on that address or the wildcard): it would capture the node's
// own connections to it. The error names the field and the host socket.
func TestNetAttackHostPortHijack(t *testing.T) {
	root(t)
	if rt, err := netlink.RouteGet(net.ParseIP("192.0.2.10")); err == nil && len(rt) > 0 && rt[0].Type == unix.RTN_LOCAL {
		t.Fatalf("192.0.2.10 is an address of this machine; the test needs it not to be")
	}
	refused := func(name, ports string, want ...string) {
		t.Helper()
		pn := &podNet{name: name}
		t.Cleanup(func() { checkNetGone(t, pn) })
		r := tryUp(t, name, tmpl(idlePod, name, "PORTS", "\n    ports:"+ports))
		if r.code == 0 {
			t.Errorf("up of %s succeeded; want it refused naming %q", name, want)
			return
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("up of %s: the error does not name %q:\n%s", name, w, r.stderr)
			}
		}
	}
	p := freeHostPort(t, "tcp")
	refused(podName("atk-hostip"), portItem(p, "TCP", "192.0.2.10"), "spec.containers[0].ports[0].hostIP", `"192.0.2.10"`)

	self := "pid " + strconv.Itoa(os.Getpid())
	// The host services take ports the kernel picks: a port found free
	// first and bound after was once taken meanwhile.
	tcp := serveBanner(t, netns.None(), "tcp4", "127.0.0.1:0", "host service")
	refused(podName("atk-tcp"), "\n    - containerPort: 81"+portItem(int(tcp.port), "TCP", ""),
		"spec.containers[0].ports[1].hostPort", tcp.addr, self)
	if got, err := dialBanner(netns.None(), tcp.addr, time.Second); err != nil || got != "host service" {
		t.Errorf("after the refused pod, %s answered %q (%v), want the host service", tcp.addr, got, err)
	}

	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	udpPort := u.LocalAddr().(*net.UDPAddr).Port
	refused(podName("atk-udp"), portItem(udpPort, "UDP", ""), u.LocalAddr().String(), self)

	wild := serveBanner(t, netns.None(), "tcp4", "0.0.0.0:0", "wildcard service")
	refused(podName("atk-wild"), portItem(int(wild.port), "TCP", "127.0.0.1"), "0.0.0.0:"+strconv.Itoa(int(wild.port)), self)
}

// TestNetAttackHostPortHeld: a running pod's hostPort stays taken, so a
// host service that comes later cannot bind it (and be shadowed by the
// pod's DNAT rule without anyone noticing); once the pod is gone it can.
func TestNetAttackHostPortHeld(t *testing.T) {
	root(t)
	held := freeHostPort(t, "tcp")
	addr := "127.0.0.1:" + strconv.Itoa(held)
	bind := func() (errs [2]error) {
		if l, err := net.Listen("tcp4", addr); err == nil {
			l.Close()
		} else {
			errs[0] = err
		}
		if u, err := net.ListenPacket("udp4", addr); err == nil {
			u.Close()
		} else {
			errs[1] = err
		}
		return errs
	}
	t.Cleanup(func() { // runs after the pod's down
		if errs := bind(); errs[0] != nil || errs[1] != nil {
			t.Errorf("%s is still taken after the pod went: TCP %v, UDP %v", addr, errs[0], errs[1])
		}
	})
	name := podName("atk-held")
	upNetPod(t, name, tmpl(idlePod, name, "PORTS", "\n    ports:"+portItem(held, "TCP", "")+portItem(held, "UDP", "")))
	for i, err := range bind() {
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a host service could bind %s/%s while pod %s publishes it: %v", addr, []string{"TCP", "UDP"}[i], name, err)
		}
	}
}

// portItem is one entry of a container's ports list.
func portItem(hostPort int, proto, hostIP string) string {
	s := fmt.Sprintf("\n    - containerPort: 80\n      hostPort: %d\n      protocol: %s", hostPort, proto)
	if hostIP != "" {
		s += "\n      hostIP: " + hostIP
	}
	return s
}

// TestNetAttackLANToPod: a machine on the node's LAN that routes the pod
// subnet through the node must not reach pods directly (the node forwards
// for pods), only through their hostPorts; and a hostPort on every address
// does not capture the node's connections to another machine's address.
func TestNetAttackLANToPod(t *testing.T) {
	root(t)
	lan := newLAN(t)
	port := freeHostPort(t, "tcp")
	far := serveBanner(t, lan.ns, "tcp4", net.JoinHostPort(lan.peerIP, strconv.Itoa(port)), "lan machine")
	name := podName("atk-lan")
	pn := upNetPod(t, name, tmpl(webPod, name, "EXTRA", hostPortField(port)))
	want := "hello from " + name

	node := net.JoinHostPort(nodeIPv4(t), strconv.Itoa(port))
	var got string
	var err error
	waitFor(t, 30*time.Second, "the LAN to reach the pod at hostPort "+node, func() bool {
		got, err = httpGetIn(lan.ns, node, 3*time.Second)
		return err == nil && got == want
	})
	if got, err := httpGetIn(lan.ns, net.JoinHostPort(pn.ip, "80"), 3*time.Second); err == nil {
		t.Errorf("the LAN reached pod %s at %s:80 directly: %q", name, pn.ip, got)
	}
	if got, err := dialBanner(netns.None(), far.addr, 3*time.Second); err != nil || got != "lan machine" {
		t.Errorf("the node's connection to %s (not a node address) got %q (%v), want the LAN machine", far.addr, got, err)
	}
}

// TestNetAttackRouterAdvert: no pod can configure the host (or another
// pod) with IPv6 router advertisements (CVE-2020-10749): accept_ra is off
// on the bridge, the host end of the pod's veth and the pod's eth0, and a
// crafted advertisement sent to the bridge adds no route, though the same
// frame does add one in a namespace that accepts advertisements.
func TestNetAttackRouterAdvert(t *testing.T) {
	root(t)
	name := podName("atk-ra")
	pn := upNetPod(t, name, tmpl(idlePod, name, "PORTS", ""))
	pod := podNetNS(t, name)
	for _, c := range []struct {
		ns   netns.NsHandle
		link string
	}{{netns.None(), podBridge}, {netns.None(), pn.veth}, {pod, "eth0"}} {
		if v := sysctlIn(t, c.ns, "net/ipv6/conf/"+c.link+"/accept_ra"); v != "0" {
			t.Errorf("accept_ra of %s is %s, want 0", c.link, v)
		}
	}

	prefix := randomULA()
	a, b := raControlPair(t)
	link := openRawLink(t, a, "ra-a")
	ra := routerAdvert(link.mac, interfaceMAC(t, b, "ra-b"), randomLinkLocal(), prefix, 30)
	// Sent again on each try: frames sent before the new veth's carrier
	// is up are dropped.
	waitFor(t, 5*time.Second, "the control namespace to take the advertised route", func() bool {
		link.send(t, ra)
		time.Sleep(50 * time.Millisecond)
		return len(routesTo(t, b, prefix)) > 0
	})

	prefix = randomULA()
	link = openRawLink(t, pod, "eth0")
	link.send(t, routerAdvert(link.mac, bridgeMAC(t), randomLinkLocal(), prefix, 30))
	time.Sleep(time.Second)
	for _, r := range routesTo(t, netns.None(), prefix) {
		t.Errorf("a router advertisement from pod %s added a host route: %s", name, r)
		_ = netlink.RouteDel(&r)
	}
}

// TestNetAttackNamespaceOutlivesPod: a pod's network namespace outlives
// the pod when something outside it keeps a reference, as a socket that a
// container passed out over a shared volume does (here the test holds
// such a socket itself). Through it, the deleted pod could still reach
// the node and other pods, from an address the next pod gets. `down`
// must take the pod off the bridge: when it returns, the pod's veth is
// gone, or down and on no bridge (so it holds none of the bridge's 1024
// ports), and what the socket sends reaches nobody. Once the socket
// is closed the kernel deletes the veth (the test's network check). A pod
// whose namespace nothing holds is off the bridge when `down` returns
// too.
func TestNetAttackNamespaceOutlivesPod(t *testing.T) {
	root(t)
	held := podName("atk-held")
	pn := upNetPod(t, held, tmpl(idlePod, held, "PORTS", ""))
	free := podName("atk-free")
	fn := upNetPod(t, free, tmpl(idlePod, free, "PORTS", ""))
	sock := podSocket(t, held)
	host, err := net.ListenPacket("udp4", podGateway+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if !sendReaches(t, sock, host, "before down") {
		t.Fatalf("a datagram from pod %s's socket did not reach %s: the test cannot tell", held, host.LocalAddr())
	}
	for _, name := range []string{held, free} {
		if r := mp(t, "down", name); r.code != 0 {
			t.Fatalf("down %s: %s", name, r)
		}
	}
	for _, p := range []*podNet{pn, fn} {
		if l, err := netlink.LinkByName(p.veth); err == nil && (l.Attrs().Flags&net.FlagUp != 0 || l.Attrs().MasterIndex != 0) {
			t.Errorf("pod %s is deleted, yet its veth %s is still up, or on the bridge (flags %v, master %d)", p.name, p.veth, l.Attrs().Flags, l.Attrs().MasterIndex)
		}
	}
	if sendReaches(t, sock, host, "after down") {
		t.Errorf("pod %s is deleted, yet a socket of its namespace still reaches the node", held)
	}
}

// sendReaches sends a datagram from socket fd to the host's listener and
// reports whether it arrived within a second.
func sendReaches(t *testing.T, fd int, host net.PacketConn, what string) bool {
	t.Helper()
	to := host.LocalAddr().(*net.UDPAddr)
	dst := &unix.SockaddrInet4{Port: to.Port}
	copy(dst.Addr[:], to.IP.To4())
	// A pod end without carrier may refuse at once: that is not arriving.
	_ = unix.Sendto(fd, []byte(what), 0, dst)
	buf := make([]byte, 64)
	for {
		if err := host.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		n, _, err := host.ReadFrom(buf)
		if err != nil {
			return false
		}
		if string(buf[:n]) == what {
			return true
		}
	}
}

// podSocket opens a UDP socket in pod name's network namespace; it keeps
// that namespace alive until the test ends.
func podSocket(t *testing.T, name string) int {
	t.Helper()
	ns := podNetNSHandle(t, name)
	defer ns.Close() // the socket alone keeps the namespace
	fd := -1
	err := inNetNS(ns, func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		t.Fatalf("open a socket in pod %s's network namespace: %v", name, err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// TestNetAttackSpoofing: a container with the default capabilities has
// CAP_NET_RAW and writes what frames it likes on its eth0. On the pod
// network it must still be only itself:
//   - an ARP reply saying the victim's address is at the attacker's MAC
//     must not take the node's traffic for the victim;
//   - an IPv4 packet from the victim's address must not reach the node;
//   - a frame with the victim's MAC as its source must not move the
//     victim's MAC to the attacker's port in the bridge's table.
//
// Each is first done from the attacker's own address or MAC (the node
// takes it), then as the victim.
func TestNetAttackSpoofing(t *testing.T) {
	root(t)
	victim, attacker := podName("atk-victim"), podName("atk-spoof")
	pv := upNetPod(t, victim, tmpl(webPod, victim, "EXTRA", ""))
	pa := upNetPod(t, attacker, tmpl(idlePod, attacker, "PORTS", ""))
	victimMAC := interfaceMAC(t, podNetNS(t, victim), "eth0")
	link := openRawLink(t, podNetNS(t, attacker), "eth0")
	gw, gwIP := bridgeMAC(t), net.ParseIP(podGateway)

	// ARP. The node resolves the victim (it fetches its page), and keeps
	// a new answer from overriding that for a second (locktime).
	waitHTTP(t, "http://"+pv.ip+"/", "hello from "+victim, 20*time.Second)
	time.Sleep(1500 * time.Millisecond)
	for range 3 {
		link.send(t, arpFrame(2, link.mac, net.ParseIP(pv.ip), gw, gwIP, gw))
		time.Sleep(100 * time.Millisecond)
	}
	if got := neighMAC(t, pv.ip); got != victimMAC.String() {
		t.Errorf("the node has %s for %s (%s) after the attacker's ARP reply; the victim's MAC is %s, the attacker's %s", got, victim, pv.ip, victimMAC, link.mac)
		_ = netlink.NeighDel(&netlink.Neigh{LinkIndex: linkIndex(t, podBridge), IP: net.ParseIP(pv.ip)})
	}

	// IPv4 source addresses: a datagram to a socket of the node on the
	// gateway address, from the attacker's address (the control), then
	// from the victim's.
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: gwIP})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := uint16(conn.LocalAddr().(*net.UDPAddr).Port)
	for _, c := range []struct {
		from string
		want bool
	}{{pa.ip, true}, {pv.ip, false}} {
		link.send(t, udpFrame(link.mac, gw, net.ParseIP(c.from), gwIP, 40000, port, []byte("from "+c.from)))
		got := udpFrom(conn, time.Second)
		if c.want && got != "from "+c.from {
			t.Fatalf("control: the node did not get a datagram from the attacker's own address (got %q)", got)
		}
		if !c.want && got != "" {
			t.Errorf("the node took a datagram from %s (the victim's address) sent by %s: %q", c.from, attacker, got)
		}
	}

	// MAC addresses: a frame with the victim's MAC as its source.
	frame := append(ethHeader(victimMAC, net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0x88b5), make([]byte, 46)...)
	for range 3 {
		link.send(t, frame)
		time.Sleep(50 * time.Millisecond)
	}
	if port := fdbPort(t, victimMAC); port != pv.veth {
		t.Errorf("the bridge sends %s's MAC %s to port %q (the attacker is on %s, the victim on %s)", victim, victimMAC, port, pa.veth, pv.veth)
	}
	if _, err := httpGet("http://" + pv.ip + "/"); err != nil {
		t.Errorf("the node cannot reach %s after the attacker's frames: %v", victim, err)
	}
}

// neighMAC is the MAC the node's neighbour table has for ip on the bridge.
func neighMAC(t *testing.T, ip string) string {
	t.Helper()
	ns, err := netlink.NeighList(linkIndex(t, podBridge), netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.IP.String() == ip {
			return n.HardwareAddr.String()
		}
	}
	return ""
}

// fdbPort names the bridge port the bridge's forwarding table sends mac
// to ("" if none).
func fdbPort(t *testing.T, mac net.HardwareAddr) string {
	t.Helper()
	br := linkIndex(t, podBridge)
	ns, err := netlink.NeighList(0, unix.AF_BRIDGE)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.MasterIndex == br && n.HardwareAddr.String() == mac.String() {
			if l, err := netlink.LinkByIndex(n.LinkIndex); err == nil {
				return l.Attrs().Name
			}
		}
	}
	return ""
}

func linkIndex(t *testing.T, name string) int {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Attrs().Index
}

// udpFrom is the next datagram conn gets within wait ("" if none).
func udpFrom(conn *net.UDPConn, wait time.Duration) string {
	buf := make([]byte, 512)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := conn.ReadFromUDP(buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}
