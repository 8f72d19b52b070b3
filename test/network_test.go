package test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netlink"
)

// webPod serves "hello from NAME" with busybox httpd on port 80 of the pod;
// {{EXTRA}} may add fields to the port (hostPort...).
//
// Clients in the pods run `timeout 5 wget`: the busybox image's wget
// (Debian's 1.35) segfaults when given -T.
const webPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from {{NAME}} > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
    - containerPort: 80{{EXTRA}}
`

// idlePod is one busybox container that does nothing; {{PORTS}} may give it
// a ports list.
const idlePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]{{PORTS}}
`

func hostPortField(p int) string { return "\n      hostPort: " + strconv.Itoa(p) }

func idlePorts(hostPort int) string {
	return "\n    ports:\n    - containerPort: 80\n      hostPort: " + strconv.Itoa(hostPort)
}

// TestNetworkMC3HostPort: the seed's mc3 with nginx's port 80 published as
// a hostPort answers Hello world! on the node's loopback and on its own
// address, and on the pod's address; webapp, bound to the pod's 127.0.0.1,
// is not reachable from outside the pod.
func TestNetworkMC3HostPort(t *testing.T) {
	root(t)
	name := podName("mc3-hp")
	port := freeHostPort(t, "tcp")
	hp := strconv.Itoa(port)
	pn := upNetPod(t, name, fixture(t, "mc3-hostport.yaml", name, "HOSTPORT", hp))

	if got, want := portsOf(name), "ports/tcp_"+hp+"_0.0.0.0"; len(got) != 1 || got[0] != want {
		t.Errorf("port reservations of %s: %v, want [%s]", name, got, want)
	}
	if rules := natRulesOf(t, name); len(rules) != 2 {
		t.Errorf("NAT rules of %s: %q, want a DNAT rule in prerouting and one in output", name, rules)
	}

	waitHTTP(t, "http://127.0.0.1:"+hp+"/", "Hello world!", 60*time.Second)
	node := nodeIPv4(t)
	waitHTTP(t, "http://"+net.JoinHostPort(node, hp)+"/", "Hello world!", 10*time.Second)
	waitHTTP(t, "http://"+net.JoinHostPort(pn.ip, "80")+"/", "Hello world!", 10*time.Second)

	// webapp listens on the pod's 127.0.0.1:5000 only.
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(pn.ip, "5000"), 3*time.Second); err == nil {
		c.Close()
		t.Errorf("connected to webapp at %s:5000 from the host; it listens on the pod's 127.0.0.1 only", pn.ip)
	}
	if got := execOut(t, name, "webapp", "wget", "-qO-", "http://127.0.0.1:5000/"); strings.TrimSpace(got) != "Hello world!" {
		t.Errorf("webapp inside the pod answered %q", got)
	}
}

// TestNetworkPodToPod: two pods get different addresses of the pod subnet,
// reach each other's server by pod IP both ways, and each has its own
// address and hostname in /etc/hosts, get -o wide and describe.
func TestNetworkPodToPod(t *testing.T) {
	root(t)
	a, b := podName("p2p-a"), podName("p2p-b")
	pods := []*podNet{
		upNetPod(t, a, tmpl(webPod, a, "EXTRA", "")),
		upNetPod(t, b, tmpl(webPod, b, "EXTRA", "")),
	}
	if pods[0].ip == pods[1].ip {
		t.Fatalf("both pods got %s", pods[0].ip)
	}
	if pods[0].veth == pods[1].veth {
		t.Errorf("both pods have veth %s", pods[0].veth)
	}
	for _, p := range pods {
		ip := net.ParseIP(p.ip)
		if !podSubnet.Contains(ip) || p.ip == podGateway || p.ip == "10.89.0.0" || p.ip == "10.89.255.255" {
			t.Errorf("pod %s got %s, want a host address of %s other than the gateway", p.name, p.ip, podSubnet)
		}
		if got := leasesOf(p.name); len(got) != 1 || got[0] != "leases/"+p.ip {
			t.Errorf("leases of %s: %v, want [leases/%s]", p.name, got, p.ip)
		}
	}

	for i, from := range pods {
		to := pods[1-i]
		var r result
		waitFor(t, 30*time.Second, from.name+" to reach "+to.name+" at "+to.ip, func() bool {
			r = mp(t, "exec", from.name, "--", "timeout", "5", "wget", "-qO-", "http://"+to.ip+"/")
			return r.code == 0
		})
		if want := "hello from " + to.name; strings.TrimSpace(r.stdout) != want {
			t.Errorf("%s got %q from %s, want %q", from.name, r.stdout, to.ip, want)
		}
	}

	for _, p := range pods {
		hosts := execOut(t, p.name, "web", "cat", "/etc/hosts")
		found := false
		for _, l := range lines(hosts) {
			if f := strings.Fields(l); len(f) == 2 && f[0] == p.ip && f[1] == p.name {
				found = strings.Contains(l, p.ip+"\t"+p.name)
			}
		}
		if !found {
			t.Errorf("/etc/hosts of %s has no %q line:\n%s", p.name, p.ip+"\\t"+p.name, hosts)
		}

		wide := mustMP(t, "get", p.name, "-o", "wide")
		if ip := columnOf(wide, p.name, "IP"); ip != p.ip {
			t.Errorf("get -o wide: IP %q, want %s\n%s", ip, p.ip, wide)
		}
		pod := getPod(t, p.name)
		if len(pod.Status.PodIPs) != 1 || pod.Status.PodIPs[0].IP != p.ip {
			t.Errorf("status.podIPs %v, want [%s]", pod.Status.PodIPs, p.ip)
		}
		if node := nodeIPv4(t); pod.Status.HostIP != node {
			t.Errorf("status.hostIP %q, want the node's %s", pod.Status.HostIP, node)
		}
		desc := mustMP(t, "describe", p.name)
		if !regexp.MustCompile(`(?m)^IP:\s+` + regexp.QuoteMeta(p.ip) + `$`).MatchString(desc) {
			t.Errorf("describe %s has no IP: %s line:\n%s", p.name, p.ip, desc)
		}
	}
}

// columnOf returns the value of column head in pod's row of a get table
// (split on blanks: only for columns before any that may hold spaces, or
// rows without such values).
func columnOf(table, pod, head string) string {
	ls := lines(table)
	if len(ls) < 2 {
		return ""
	}
	heads := strings.Fields(ls[0])
	col := -1
	for i, h := range heads {
		if h == head {
			col = i
		}
	}
	for _, l := range ls[1:] {
		if f := strings.Fields(l); len(f) > col && col >= 0 && f[0] == pod {
			return f[col]
		}
	}
	return ""
}

// outside is a network namespace of the test's own, linked to the host by a
// veth pair, standing for the world beyond the node.
type outside struct {
	hostIP, peerIP string // host end, outside end
	hostLink       string
}

// newOutside makes the namespace with its veth pair in 10.231.X.0/24 and
// serves HTTP on port 8000 inside it, answering each request with the
// client's source address. Everything goes away in t.Cleanup.
func newOutside(t *testing.T) *outside {
	t.Helper()
	x := freeSubnetOctet(t)
	suffix := fmt.Sprintf("%08x", rand.Uint32())
	o := &outside{
		hostIP:   fmt.Sprintf("10.231.%d.1", x),
		peerIP:   fmt.Sprintf("10.231.%d.2", x),
		hostLink: "egh" + suffix,
	}
	peer := "ego" + suffix
	ns := vethIntoNewNS(t, o.hostLink, peer)
	host, err := netlink.LinkByName(o.hostLink)
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.AddrAdd(host, &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(o.hostIP), Mask: net.CIDRMask(24, 32)}}); err != nil {
		t.Fatalf("address %s on %s: %v", o.hostIP, o.hostLink, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		t.Fatal(err)
	}
	nl, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	for _, n := range []string{"lo", peer} {
		l, err := nl.LinkByName(n)
		if err != nil {
			t.Fatalf("%s in the outside namespace: %v", n, err)
		}
		if n == peer {
			if err := nl.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(o.peerIP), Mask: net.CIDRMask(24, 32)}}); err != nil {
				t.Fatalf("address %s on %s: %v", o.peerIP, peer, err)
			}
		}
		if err := nl.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
	}

	var l net.Listener
	if err := inNetNS(ns, func() error {
		var err error
		l, err = net.Listen("tcp4", net.JoinHostPort(o.peerIP, "8000"))
		return err
	}); err != nil {
		t.Fatalf("listen in the outside namespace: %v", err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			fmt.Fprintln(w, host)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return o
}

// freeSubnetOctet picks X such that no address or route of the host is in
// 10.231.X.0/24.
func freeSubnetOctet(t *testing.T) int {
	t.Helper()
	routes := dumped(t, "list routes", v4Routes)
	addrs := dumped(t, "list addresses", v4Addrs)
	for range 100 {
		x := 1 + rand.IntN(254)
		_, want, _ := net.ParseCIDR(fmt.Sprintf("10.231.%d.0/24", x))
		if !subnetInUse(want, routes, addrs) {
			return x
		}
	}
	t.Fatal("no free 10.231.X.0/24")
	return 0
}

// TestNetworkEgressMasquerade: a pod reaches an address beyond the node
// (a namespace of the test's own, routed through the host), and the far end
// sees the host's address, not the pod's: egress is masqueraded.
func TestNetworkEgressMasquerade(t *testing.T) {
	root(t)
	o := newOutside(t)
	// The server answers from the host too (sanity check of the set-up).
	waitHTTP(t, "http://"+o.peerIP+":8000/", o.hostIP, 5*time.Second)

	name := podName("egress")
	pn := upNetPod(t, name, tmpl(idlePod, name, "PORTS", ""))
	var r result
	waitFor(t, 20*time.Second, "the pod to reach "+o.peerIP+":8000", func() bool {
		r = mp(t, "exec", name, "--", "timeout", "5", "wget", "-qO-", "http://"+o.peerIP+":8000/")
		return r.code == 0
	})
	if got := strings.TrimSpace(r.stdout); got != o.hostIP {
		t.Errorf("the outside saw the pod's request come from %q, want the host's %s (masquerade; pod IP %s)", got, o.hostIP, pn.ip)
	}
}

// TestNetworkBridgeAddressStays: a pod leaving does not change the bridge's
// address, which the other pods have cached for their gateway. A bridge
// without an address of its own takes its lowest port's: b's veth is given
// the lowest there is, and b goes; a, which learnt the gateway's address
// just before, must still get out through it at once (the CI flake of
// TestSeedMC3Service: the node's own requests to a NodePort timed out for
// 15 s after another test's pod left, their replies sent to a gone port).
func TestNetworkBridgeAddressStays(t *testing.T) {
	root(t)
	o := newOutside(t)
	a, b := podName("brmac-a"), podName("brmac-b")
	pa := upNetPod(t, a, tmpl(idlePod, a, "PORTS", ""))
	pb := upNetPod(t, b, tmpl(idlePod, b, "PORTS", ""))
	if l, err := netlink.LinkByName(pb.veth); err != nil {
		t.Fatal(err)
	} else if err := netlink.LinkSetHardwareAddr(l, net.HardwareAddr{0, 0, 0, 0, 0, 1}); err != nil {
		t.Fatalf("give %s the lowest address: %v", pb.veth, err)
	}
	before := sysNet(t, podBridge, "address")
	if got := sysNet(t, podBridge, "addr_assign_type"); got != "3" {
		t.Errorf("the bridge's addr_assign_type is %s, want 3 (set): its address would follow its ports", got)
	}
	// a learns the gateway's address (a refused connection is enough).
	mp(t, "exec", a, "--", "timeout", "2", "wget", "-qO-", "http://"+podGateway+":1/")
	if got := gatewayMAC(t, a); got != before {
		t.Errorf("%s has %q for its gateway, the bridge is %s", a, got, before)
	}
	mustMP(t, "down", b)
	if got := sysNet(t, podBridge, "address"); got != before {
		t.Errorf("the bridge's address went from %s to %s with %s", before, got, b)
	}
	r := mp(t, "exec", a, "--", "timeout", "5", "wget", "-qO-", "http://"+o.peerIP+":8000/")
	if r.code != 0 || strings.TrimSpace(r.stdout) != o.hostIP {
		t.Errorf("%s (%s) could not get out through its gateway once %s left: %s", a, pa.ip, b, r)
	}
}

// sysNet reads attribute attr of link name from /sys/class/net.
func sysNet(t *testing.T, name, attr string) string {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/" + name + "/" + attr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// gatewayMAC is the hardware address pod has in its ARP table for the
// gateway.
func gatewayMAC(t *testing.T, pod string) string {
	t.Helper()
	for _, l := range lines(execOut(t, pod, "c", "cat", "/proc/net/arp")) {
		if f := strings.Fields(l); len(f) >= 4 && f[0] == podGateway {
			return f[3]
		}
	}
	return ""
}

// TestNetworkHostPortConflict: a second pod asking for a hostPort that a
// running pod holds fails `up -d`, naming the port and the holder, and
// leaves nothing behind; the first pod still answers on the port.
func TestNetworkHostPortConflict(t *testing.T) {
	root(t)
	a, b := podName("hp-a"), podName("hp-b")
	port := freeHostPort(t, "tcp")
	hp := strconv.Itoa(port)
	upNetPod(t, a, tmpl(webPod, a, "EXTRA", hostPortField(port)))
	waitHTTP(t, "http://127.0.0.1:"+hp+"/", "hello from "+a, 30*time.Second)

	linksBefore := mpvLinks(t)
	bNet := &podNet{name: b}
	t.Cleanup(func() { checkNetGone(t, bNet) })
	r := tryUp(t, b, tmpl(webPod, b, "EXTRA", hostPortField(port)))
	if r.code == 0 {
		t.Fatalf("up of a second pod on hostPort %d succeeded: %s", port, r)
	}
	if want := "hostPort " + hp + "/TCP"; !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, `"`+a+`"`) {
		t.Errorf("up's error does not name %s and pod %q: %s", want, a, r)
	}

	for _, p := range []string{"/run/minipod/" + b, "/var/lib/minipod/pods/" + b} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("failed up left %s", p)
		}
	}
	for _, tr := range netTraces(t, bNet) {
		t.Errorf("failed up left %s", tr)
	}
	if o := orphanVeths(t, linksBefore); len(o) > 0 {
		t.Errorf("failed up left veths that belong to no pod: %v", o)
	}
	if got, want := portsOf(a), "ports/tcp_"+hp+"_0.0.0.0"; len(got) != 1 || got[0] != want {
		t.Errorf("port reservations of %s after the conflict: %v, want [%s]", a, got, want)
	}
	waitHTTP(t, "http://127.0.0.1:"+hp+"/", "hello from "+a, 5*time.Second)
	waitHTTP(t, "http://"+net.JoinHostPort(nodeIPv4(t), hp)+"/", "hello from "+a, 5*time.Second)
}

// udpEchoPod answers every UDP datagram on port 9999 with "echo:" and the
// payload, and logs "got PAYLOAD" (perl of the debian image: busybox's nc
// has no UDP).
const udpEchoPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: udp
    image: debian
    command:
    - perl
    - -MIO::Socket::INET
    - -e
    - '$|=1; $s=IO::Socket::INET->new(LocalPort=>9999, Proto=>"udp") or die "socket: $@"; print "listening\n"; while (defined($s->recv($m, 2048))) { print "got $m\n"; $s->send("echo:$m") }'
    ports:
    - containerPort: 9999
      hostPort: {{HOSTPORT}}
      protocol: UDP
`

// TestNetworkHostPortUDP: a UDP hostPort carries a datagram to the pod and
// its answer back, at the node's loopback and its own address.
func TestNetworkHostPortUDP(t *testing.T) {
	root(t)
	name := podName("udp-hp")
	port := freeHostPort(t, "udp")
	hp := strconv.Itoa(port)
	upNetPod(t, name, tmpl(udpEchoPod, name, "HOSTPORT", hp))
	if got, want := portsOf(name), "ports/udp_"+hp+"_0.0.0.0"; len(got) != 1 || got[0] != want {
		t.Errorf("port reservations of %s: %v, want [%s]", name, got, want)
	}

	for _, host := range []string{"127.0.0.1", nodeIPv4(t)} {
		payload := fmt.Sprintf("ping-%08x", rand.Uint32())
		var reply string
		var err error
		deadline := time.Now().Add(30 * time.Second)
		for {
			reply, err = udpRoundTrip(net.JoinHostPort(host, hp), payload)
			if err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			t.Errorf("no UDP answer from %s:%s: %v\nlogs:\n%s", host, hp, err, mp(t, "logs", name))
			continue
		}
		if reply != "echo:"+payload {
			t.Errorf("UDP %s:%s answered %q, want %q", host, hp, reply, "echo:"+payload)
		}
		waitFor(t, 5*time.Second, "the pod's log to show "+payload, func() bool {
			return strings.Contains(mp(t, "logs", name).stdout, "got "+payload+"\n")
		})
	}
}

func udpRoundTrip(addr, payload string) (string, error) {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.Write([]byte(payload)); err != nil {
		time.Sleep(500 * time.Millisecond) // e.g. ECONNREFUSED before the server is up
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	if err != nil {
		time.Sleep(200 * time.Millisecond)
		return "", err
	}
	return string(buf[:n]), nil
}

// localWebPod serves a page on the pod's 127.0.0.1:8081 only.
const localWebPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo local page of {{NAME}} > /www/index.html && exec httpd -f -p 127.0.0.1:8081 -h /www"]
`

// TestNetworkPortForwardLocalhost: port-forward reaches a port bound to the
// pod's own 127.0.0.1, which the pod's address does not expose, and stops
// cleanly on SIGINT.
func TestNetworkPortForwardLocalhost(t *testing.T) {
	root(t)
	name := podName("pf")
	pn := upNetPod(t, name, tmpl(localWebPod, name))
	want := "local page of " + name
	waitFor(t, 30*time.Second, "httpd inside the pod", func() bool {
		return mp(t, "exec", name, "--", "wget", "-qO-", "http://127.0.0.1:8081/").code == 0
	})
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(pn.ip, "8081"), 3*time.Second); err == nil {
		c.Close()
		t.Errorf("%s:8081 is reachable from the host; httpd listens on the pod's 127.0.0.1 only", pn.ip)
	}

	local := freeHostPort(t, "tcp")
	lp := strconv.Itoa(local)
	cmd := exec.Command(exe, "port-forward", name, lp+":8081")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	linec := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			linec <- sc.Text()
		}
		close(linec)
		exited <- cmd.Wait()
	}()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	wantLine := "Forwarding from 127.0.0.1:" + lp + " -> 8081"
	timeout := time.After(15 * time.Second)
wait:
	for {
		select {
		case l, ok := <-linec:
			if !ok {
				t.Fatalf("port-forward ended before printing %q; stderr:\n%s", wantLine, stderr.String())
			}
			if strings.TrimSpace(l) == wantLine {
				break wait
			}
			t.Logf("port-forward printed %q", l)
		case <-timeout:
			t.Fatalf("port-forward did not print %q within 15s; stderr:\n%s", wantLine, stderr.String())
		}
	}

	url := "http://127.0.0.1:" + lp + "/"
	waitHTTP(t, url, want, 10*time.Second)
	waitHTTP(t, url, want, 5*time.Second) // a second connection works too

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("port-forward after SIGINT: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("port-forward still runs 10s after SIGINT")
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+lp, 2*time.Second); err == nil {
		c.Close()
		t.Errorf("127.0.0.1:%s still accepts connections after port-forward ended", lp)
	}
}

// hostNetPod runs busybox httpd on the node's 127.0.0.1:{{PORT}}.
const hostNetPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo host network of {{NAME}} > /www/index.html && exec httpd -f -p 127.0.0.1:{{PORT}} -h /www"]
`

// TestNetworkHostNetwork: a hostNetwork pod shares the node's network and
// UTS namespaces, reports the node's address as its own, gets no veth,
// lease or NAT rule, and its server is reachable at the node's loopback.
func TestNetworkHostNetwork(t *testing.T) {
	root(t)
	name := podName("hostnet")
	port := freeHostPort(t, "tcp")
	pn := &podNet{name: name}
	t.Cleanup(func() { checkNetGone(t, pn) })
	upPod(t, name, tmpl(hostNetPod, name, "PORT", strconv.Itoa(port)))

	node, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(execOut(t, name, "web", "hostname")); got != node {
		t.Errorf("hostname in the pod %q, want the node's %q", got, node)
	}
	if got, want := nsInode(t, name, "web", "net"), hostNS(t, "net"); got != want {
		t.Errorf("the pod's net namespace is %s, want the host's %s", got, want)
	}
	if got, want := nsInode(t, name, "web", "uts"), hostNS(t, "uts"); got != want {
		t.Errorf("the pod's uts namespace is %s, want the host's %s", got, want)
	}
	ip := nodeIPv4(t)
	p := getPod(t, name)
	if p.Status.PodIP != ip || p.Status.HostIP != ip {
		t.Errorf("status.podIP %q, hostIP %q: want both the node's %s", p.Status.PodIP, p.Status.HostIP, ip)
	}
	if len(p.Status.PodIPs) != 1 || p.Status.PodIPs[0].IP != ip {
		t.Errorf("status.podIPs %v, want [%s]", p.Status.PodIPs, ip)
	}
	if tr := netTraces(t, pn); len(tr) > 0 {
		t.Errorf("hostNetwork pod holds %v", tr)
	}
	// A veth made for this pod would have its pod end in the pod's
	// namespace, which is the host's: no mpv link may have its peer here.
	for l, peerHere := range mpvLinks(t) {
		if peerHere {
			t.Errorf("veth %s has its peer in the host namespace (the hostNetwork pod's)", l)
		}
	}
	waitHTTP(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/", "host network of "+name, 30*time.Second)
}

// TestNetworkManyPods: 3 waves of 10 pods (each with a hostPort) come up and
// go down concurrently; pods alive together never share an address, each
// lease names its pod, and afterwards none of them left a veth, a lease, a
// port reservation or a NAT rule.
func TestNetworkManyPods(t *testing.T) {
	root(t)
	const waves, perWave = 3, 10
	seen := map[string]string{} // ip -> first pod given it (over all waves)
	for w := range waves {
		names := make([]string, perWave)
		paths := make([]string, perWave)
		for i := range names {
			names[i] = podName(fmt.Sprintf("many%d-%d", w, i))
			paths[i] = writeManifest(t, names[i], tmpl(idlePod, names[i], "PORTS", idlePorts(freeHostPort(t, "tcp"))))
			name := names[i]
			t.Cleanup(func() { mp(t, "down", name) }) // in case the test stops early
		}
		before := testutil.Snapshot(t, exe)

		errs := parallel(perWave, func(i int) error {
			r, err := mpPlain("up", "-d", paths[i])
			if err == nil && r.code != 0 {
				err = errors.New(r.String())
			}
			return err
		})
		for _, err := range errs {
			t.Errorf("wave %d: %v", w, err)
		}
		if t.Failed() {
			t.FailNow()
		}

		nets := make([]*podNet, perWave)
		ips := map[string]string{}
		for i, name := range names {
			nets[i] = &podNet{name: name, ip: podIPOf(t, name), veth: podVeth(t, name)}
			if other, dup := ips[nets[i].ip]; dup {
				t.Errorf("wave %d: %s and %s both have %s", w, other, name, nets[i].ip)
			}
			ips[nets[i].ip] = name
			if !podSubnet.Contains(net.ParseIP(nets[i].ip)) || nets[i].ip == podGateway {
				t.Errorf("%s got %s", name, nets[i].ip)
			}
			if got := leasesOf(name); len(got) != 1 || got[0] != "leases/"+nets[i].ip {
				t.Errorf("leases of %s: %v, want [leases/%s]", name, got, nets[i].ip)
			}
			if got := natRulesOf(t, name); len(got) != 2 {
				t.Errorf("NAT rules of %s: %q, want 2", name, got)
			}
			if _, ok := seen[nets[i].ip]; !ok {
				seen[nets[i].ip] = name
			}
		}
		veths := map[string]bool{}
		for _, n := range nets {
			if veths[n.veth] {
				t.Errorf("wave %d: veth %s shared", w, n.veth)
			}
			veths[n.veth] = true
		}
		procs := make([][]procID, perWave)
		for i, name := range names {
			procs[i] = podProcs(name)
		}

		errs = parallel(perWave, func(i int) error {
			r, err := mpPlain("down", names[i])
			if err == nil && r.code != 0 {
				err = errors.New(r.String())
			}
			return err
		})
		for _, err := range errs {
			t.Errorf("wave %d: %v", w, err)
		}
		for i, name := range names {
			checkGone(t, name, before, procs[i])
			checkNetGone(t, nets[i])
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d pods got %d distinct addresses", waves*perWave, len(seen))
}

// parallel runs fn(0..n-1) concurrently and returns the errors.
func parallel(n int, fn func(i int) error) []error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// TestNetworkDownAfterMonitorKilled: after the pod's monitor was SIGKILLed,
// `down` still removes the pod's veth, lease, hostPort reservation and DNAT
// rules.
func TestNetworkDownAfterMonitorKilled(t *testing.T) {
	root(t)
	name := podName("net-orphan")
	port := freeHostPort(t, "tcp")
	hp := strconv.Itoa(port)
	pn := upNetPod(t, name, tmpl(webPod, name, "EXTRA", hostPortField(port)))
	waitHTTP(t, "http://127.0.0.1:"+hp+"/", "hello from "+name, 30*time.Second)
	if tr := netTraces(t, pn); len(tr) != 5 { // link, lease, port, 2 rules
		t.Errorf("before the kill the pod holds %q, want its veth, lease, port and 2 NAT rules", tr)
	}

	sigkillMonitor(t, name)
	if r := mp(t, "down", name); r.code != 0 {
		t.Errorf("down after the monitor died: %s", r)
	}
	checkNetGone(t, pn)
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+hp, 2*time.Second); err == nil {
		c.Close()
		t.Errorf("127.0.0.1:%s still accepts connections after down", hp)
	}
}

// TestNetworkHairpin: a pod reaches a hostPort at the node's address — its
// own, and another pod's — and gets the answer back (hairpin NAT and the
// bridge port's hairpin mode, as the portmap and bridge CNI plugins do).
func TestNetworkHairpin(t *testing.T) {
	root(t)
	a, b := podName("hairpin-a"), podName("hairpin-b")
	port := freeHostPort(t, "tcp")
	upNetPod(t, a, tmpl(webPod, a, "EXTRA", hostPortField(port)))
	upNetPod(t, b, tmpl(webPod, b, "EXTRA", ""))
	waitHTTP(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/", "hello from "+a, 30*time.Second)
	url := "http://" + net.JoinHostPort(nodeIPv4(t), strconv.Itoa(port)) + "/"
	for _, from := range []string{a, b} {
		r := mp(t, "exec", from, "--", "timeout", "5", "wget", "-qO-", url)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "hello from "+a {
			t.Errorf("from pod %s, %s: %s", from, url, r)
		}
	}
}

// subnetInUse tells whether a route (other than the default) or an
// address of the host overlaps want.
func subnetInUse(want *net.IPNet, routes []netlink.Route, addrs []netlink.Addr) bool {
	for _, r := range routes {
		if r.Dst != nil && r.Dst.String() != "0.0.0.0/0" && (r.Dst.Contains(want.IP) || want.Contains(r.Dst.IP)) {
			return true
		}
	}
	for _, a := range addrs {
		if want.Contains(a.IP) {
			return true
		}
	}
	return false
}

// TestNetworkDownWithOpenConnection: a client that holds a connection to a
// pod open across `down`, reading nothing of what the pod sends, does not
// keep the pod's veth pair. The pod's end of that connection, its data
// unsent, stays in FIN_WAIT_1 probing the client's closed window for
// minutes, and keeps the pod's network namespace alive that long: a pair
// only cut off would live as long.
func TestNetworkDownWithOpenConnection(t *testing.T) {
	root(t)
	name := podName("net-linger")
	pn := upNetPod(t, name, tmpl(bigFilePod, name))
	stallConnection(t, pn)
	if r := mp(t, "down", name); r.code != 0 {
		t.Fatalf("down: %s", r)
	}
	checkNetGone(t, pn)
}

// TestNetworkDownWithOpenConnectionMonitorKilled: the same, with the pod's
// monitor SIGKILLed before `down`. `down` then tears the pod down with no
// hold on its network namespace, which the stalled connection keeps.
func TestNetworkDownWithOpenConnectionMonitorKilled(t *testing.T) {
	root(t)
	name := podName("net-linger-orphan")
	pn := upNetPod(t, name, tmpl(bigFilePod, name))
	stallConnection(t, pn)
	sigkillMonitor(t, name)
	if r := mp(t, "down", name); r.code != 0 {
		t.Fatalf("down: %s", r)
	}
	checkNetGone(t, pn)
}

// stallConnection opens a connection to the pod's web server on its
// address, asks for /big and reads nothing: the pod fills the window and
// its end of the connection keeps data it cannot send. The connection
// stays open until the test's cleanup, which closes it before the pod's
// own cleanups (down, then the network check) run.
func stallConnection(t *testing.T, pn *podNet) {
	t.Helper()
	var conn net.Conn
	t.Cleanup(func() {
		if conn != nil {
			conn.Close()
		}
	})
	waitFor(t, 30*time.Second, "the pod to accept connections", func() bool {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(pn.ip, "80"), 2*time.Second)
		if err == nil {
			conn = c
		}
		return err == nil
	})
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(conn, "GET /big HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the pod fills the window
}

// bigFilePod serves a 16 MiB file, /big, on port 80.
const bigFilePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && head -c 16777216 /dev/zero > /www/big && exec httpd -f -p 80 -h /www"]
`
