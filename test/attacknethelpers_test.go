package test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// banner is a TCP server of the test's own that writes one line to every
// client and remembers where each came from.
type banner struct {
	addr  string
	port  uint16
	conns chan string
}

// serveBanner listens on addr inside ns (netns.None(): the host) and
// answers every connection with text.
func serveBanner(t testing.TB, ns netns.NsHandle, network, addr, text string) *banner {
	t.Helper()
	var l net.Listener
	listen := func() (err error) { l, err = net.Listen(network, addr); return err }
	var err error
	if ns.IsOpen() {
		err = inNetNS(ns, listen)
	} else {
		err = listen()
	}
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	a := l.Addr().(*net.TCPAddr)
	b := &banner{addr: a.String(), port: uint16(a.Port), conns: make(chan string, 64)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			select {
			case b.conns <- c.RemoteAddr().String():
			default:
			}
			fmt.Fprintln(c, text)
			c.Close()
		}
	}()
	return b
}

// accepted returns the client address of a connection the server accepted
// within d, or "".
func (b *banner) accepted(d time.Duration) string {
	select {
	case c := <-b.conns:
		return c
	case <-time.After(d):
		return ""
	}
}

// dialIn connects to addr from inside ns (netns.None(): the host).
func dialIn(ns netns.NsHandle, addr string, timeout time.Duration) (net.Conn, error) {
	if !ns.IsOpen() {
		return net.DialTimeout("tcp4", addr, timeout)
	}
	var c net.Conn
	err := inNetNS(ns, func() (err error) { c, err = net.DialTimeout("tcp4", addr, timeout); return err })
	return c, err
}

// dialBanner reads the first line a server at addr writes.
func dialBanner(ns netns.NsHandle, addr string, timeout time.Duration) (string, error) {
	c, err := dialIn(ns, addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

// httpGetIn does GET / on addr from inside ns and returns the trimmed body
// of a 200 answer.
func httpGetIn(ns netns.NsHandle, addr string, timeout time.Duration) (string, error) {
	c, err := dialIn(ns, addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	head, body, ok := strings.Cut(string(b), "\r\n\r\n")
	if !ok || !strings.Contains(strings.SplitN(head, "\r\n", 2)[0], " 200 ") {
		return "", fmt.Errorf("GET %s: %q", addr, b)
	}
	return strings.TrimSpace(body), nil
}

// podNetNS opens the network namespace of pod name, until the test ends.
func podNetNS(t testing.TB, name string) netns.NsHandle {
	t.Helper()
	h := podNetNSHandle(t, name)
	t.Cleanup(func() { h.Close() })
	return h
}

// podNetNSHandle opens the network namespace of pod name; the caller
// closes it.
func podNetNSHandle(t testing.TB, name string) netns.NsHandle {
	t.Helper()
	st, err := readState(name)
	if err != nil {
		t.Fatalf("pod %s: %v", name, err)
	}
	h, err := openPodNetNS(st)
	if err != nil {
		t.Fatalf("pod %s: open its network namespace: %v", name, err)
	}
	return h
}

// openPodNetNS opens the pod's network namespace where its state record
// says it is held (by pause, or by the monitor once pause handed it over),
// checking it is the pod's.
func openPodNetNS(st *podState) (netns.NsHandle, error) {
	path := st.NSPaths["net"]
	if path == "" {
		return netns.None(), fmt.Errorf("no network namespace in state.json")
	}
	h, err := netns.GetFromPath(path)
	if err != nil {
		return netns.None(), err
	}
	var s unix.Stat_t
	if err := unix.Fstat(int(h), &s); err != nil || s.Ino != st.Namespaces["net"] {
		h.Close()
		return netns.None(), fmt.Errorf("%s is not the pod's network namespace", path)
	}
	return h, nil
}

func bridgeMAC(t testing.TB) net.HardwareAddr {
	t.Helper()
	br, err := netlink.LinkByName(podBridge)
	if err != nil {
		t.Fatalf("find bridge %s: %v", podBridge, err)
	}
	return br.Attrs().HardwareAddr
}

// interfaceMAC is the MAC of interface name in namespace ns.
func interfaceMAC(t testing.TB, ns netns.NsHandle, name string) net.HardwareAddr {
	t.Helper()
	var mac net.HardwareAddr
	err := inNetNS(ns, func() error {
		ifi, err := net.InterfaceByName(name)
		if err == nil {
			mac = ifi.HardwareAddr
		}
		return err
	})
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	return mac
}

// sysctlIn reads /proc/sys/key as seen from namespace ns (netns.None():
// the host's).
func sysctlIn(t testing.TB, ns netns.NsHandle, key string) string {
	t.Helper()
	var b []byte
	read := func() (err error) { b, err = os.ReadFile("/proc/sys/" + key); return err }
	var err error
	if ns.IsOpen() {
		err = inNetNS(ns, read)
	} else {
		err = read()
	}
	if err != nil {
		t.Fatalf("read sysctl %s: %v", key, err)
	}
	return strings.TrimSpace(string(b))
}

// routesTo lists the IPv6 routes of namespace ns (netns.None(): the
// host's) whose destination is prefix.
func routesTo(t testing.TB, ns netns.NsHandle, prefix *net.IPNet) []netlink.Route {
	t.Helper()
	h := &netlink.Handle{}
	if ns.IsOpen() {
		var err error
		if h, err = netlink.NewHandleAt(ns); err != nil {
			t.Fatal(err)
		}
		defer h.Close()
	}
	rs, err := h.RouteList(nil, netlink.FAMILY_V6)
	if err != nil {
		t.Fatalf("list IPv6 routes: %v", err)
	}
	var out []netlink.Route
	for _, r := range rs {
		if r.Dst != nil && r.Dst.String() == prefix.String() {
			out = append(out, r)
		}
	}
	return out
}

// lanMachine is a namespace of the test's standing for another machine on
// the node's LAN: a veth to the host in a /30 nobody uses, and every
// route, the pod subnet included, via the node.
type lanMachine struct {
	ns             netns.NsHandle
	hostIP, peerIP string
}

func newLAN(t *testing.T) *lanMachine {
	t.Helper()
	base := freeSlash30(t)
	lan := &lanMachine{hostIP: u32IP(base + 1).String(), peerIP: u32IP(base + 2).String()}
	suffix := fmt.Sprintf("%08x", rand.Uint32())
	hostEnd, peerEnd := "lnh"+suffix, "lnp"+suffix
	lan.ns = vethIntoNewNS(t, hostEnd, peerEnd)
	linkAddrUp(t, &netlink.Handle{}, hostEnd, lan.hostIP+"/30")
	nl, err := netlink.NewHandleAt(lan.ns)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	linkAddrUp(t, nl, peerEnd, lan.peerIP+"/30")
	linkAddrUp(t, nl, "lo", "")
	if err := nl.RouteAdd(&netlink.Route{Gw: net.ParseIP(lan.hostIP)}); err != nil {
		t.Fatalf("default route of the LAN machine: %v", err)
	}
	return lan
}

// linkAddrUp gives link name the address addr ("" for none) and brings it up.
func linkAddrUp(t testing.TB, h *netlink.Handle, name, addr string) {
	t.Helper()
	l, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	if addr != "" {
		a, err := netlink.ParseAddr(addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.AddrAdd(l, a); err != nil {
			t.Fatalf("add %s to %s: %v", addr, name, err)
		}
	}
	if err := h.LinkSetUp(l); err != nil {
		t.Fatalf("bring %s up: %v", name, err)
	}
}

// freeSlash30 picks a /30 of 10.232.0.0/16 that no address or route of the
// host overlaps, and returns its first address.
func freeSlash30(t testing.TB) uint32 {
	t.Helper()
	routes := dumped(t, "list routes", v4Routes)
	addrs := dumped(t, "list addresses", v4Addrs)
	for range 100 {
		base := uint32(10)<<24 | 232<<16 | uint32(rand.IntN(1<<14))<<2
		want := &net.IPNet{IP: u32IP(base), Mask: net.CIDRMask(30, 32)}
		if !subnetInUse(want, routes, addrs) {
			return base
		}
	}
	t.Fatal("no free /30 in 10.232.0.0/16")
	return 0
}

func u32IP(v uint32) net.IP {
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4()
}

// raControlPair makes two namespaces joined by a veth, ra-a in a and ra-b
// in b, where b takes router advertisements as a stock host does.
func raControlPair(t *testing.T) (a, b netns.NsHandle) {
	t.Helper()
	for _, h := range []*netns.NsHandle{&a, &b} {
		ns, err := newNetNS()
		if err != nil {
			t.Fatalf("new network namespace: %v", err)
		}
		t.Cleanup(func() { ns.Close() })
		*h = ns
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.Namespace = "ra-a", netlink.NsFd(int(a))
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: "ra-b", PeerNamespace: netlink.NsFd(int(b))}); err != nil {
		t.Fatalf("create the control veth pair: %v", err)
	}
	for _, e := range []struct {
		ns   netns.NsHandle
		link string
	}{{a, "ra-a"}, {b, "ra-b"}} {
		if err := inNetNS(e.ns, func() error {
			return os.WriteFile("/proc/sys/net/ipv6/conf/"+e.link+"/accept_ra", []byte("1"), 0o644)
		}); err != nil {
			t.Fatalf("accept_ra on %s: %v", e.link, err)
		}
		nl, err := netlink.NewHandleAt(e.ns)
		if err != nil {
			t.Fatal(err)
		}
		linkAddrUp(t, nl, e.link, "")
		nl.Close()
	}
	return a, b
}
