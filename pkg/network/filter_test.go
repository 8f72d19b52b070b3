package network

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netns"
)

// natTestDropped requires a connection from ns to addr to time out: the
// SYN was dropped, not refused.
func natTestDropped(t *testing.T, ns netns.NsHandle, addr string) {
	t.Helper()
	_, err := natTestDial(t, ns, addr, time.Second)
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%s: got %v, want a timeout (dropped)", addr, err)
	}
}

// natTestServeName listens on addr inside ns and answers every connection
// with name, so the test can tell which server it reached.
func natTestServeName(t *testing.T, ns netns.NsHandle, addr, name string) {
	t.Helper()
	ln := natTestInNS(t, ns, func() (net.Listener, error) { return net.Listen("tcp", addr) })
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, name)
			c.Close()
		}
	}()
}

// The forward chain: a machine routed through the node reaches a pod only
// through its hostPort; the pod's own connections out still get answers;
// the node itself still reaches the pod. Without the table the same
// machine reaches the pod directly, which the guard is there to stop.
func TestNATGuardForward(t *testing.T) {
	natTestNetNS(t)
	pod := natTestPeer(t, "mp-h", "10.99.0.1/24", "10.99.0.2/24")
	client := natTestPeer(t, "mp-c", "10.98.0.1/24", "10.98.0.2/24")
	natTestSysctl(t, "ip_forward", "1")
	natTestServe(t, pod, "10.99.0.2:80")
	natTestServe(t, client, "10.98.0.2:81")

	reach := func(ns netns.NsHandle, from string, addr, wantSource string) {
		t.Helper()
		seen, err := natTestDial(t, ns, addr, 3*time.Second)
		if err != nil || seen != wantSource {
			t.Errorf("%s to %s: saw source %q (err %v), want %q", from, addr, seen, err, wantSource)
		}
	}
	reach(client, "client", "10.99.0.2:80", "10.98.0.2") // no guard yet

	if err := SetupNAT(mustCIDR(t, "10.99.0.0/24"), "mp-h"); err != nil {
		t.Fatalf("SetupNAT: %v", err)
	}
	m := PortMapping{HostPort: 18080, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.99.0.2")}
	if err := AddPortMappings("guard", []PortMapping{m}); err != nil {
		t.Fatalf("AddPortMappings: %v", err)
	}
	logNFT(t)
	natTestDropped(t, client, "10.99.0.2:80")
	reach(client, "client", "10.98.0.1:18080", "10.98.0.2") // hostPort: source kept
	reach(pod, "pod", "10.98.0.2:81", "10.98.0.1")          // egress, masqueraded, answered
	reach(netns.None(), "node", "10.99.0.2:80", "10.99.0.1")

	if err := TeardownNAT(); err != nil {
		t.Fatalf("TeardownNAT: %v", err)
	}
	reach(client, "client", "10.99.0.2:80", "10.98.0.2") // the table took its guard with it
}

// A hostPort never captures the node's connections to another machine:
// not on every address, not with a hostIP that is not the node's.
func TestNATHostPortOnlyLocal(t *testing.T) {
	natTestNetNS(t)
	pod := natTestPeer(t, "mp-h", "10.99.0.1/24", "10.99.0.2/24")
	far := natTestPeer(t, "mp-f", "10.97.0.1/24", "10.97.0.2/24")
	natTestSysctl(t, "ip_forward", "1")
	natTestServeName(t, pod, "10.99.0.2:80", "pod")
	natTestServeName(t, far, "10.97.0.2:18082", "far")
	natTestServeName(t, far, "10.97.0.2:18083", "far")
	if err := SetupNAT(mustCIDR(t, "10.99.0.0/24"), "mp-h"); err != nil {
		t.Fatalf("SetupNAT: %v", err)
	}
	podIP := net.ParseIP("10.99.0.2")
	err := AddPortMappings("local", []PortMapping{
		{HostPort: 18082, ContainerPort: 80, Protocol: "tcp", PodIP: podIP},
		{HostIP: net.ParseIP("10.97.0.2"), HostPort: 18083, ContainerPort: 80, Protocol: "tcp", PodIP: podIP},
	})
	if err != nil {
		t.Fatalf("AddPortMappings: %v", err)
	}
	for _, c := range []struct{ addr, want string }{
		{"10.99.0.1:18082", "pod"}, // a node address
		{"10.97.0.2:18082", "far"}, // another machine's
		{"10.97.0.2:18083", "far"}, // another machine's, though it is the hostIP
	} {
		got, err := natTestDial(t, netns.None(), c.addr, 3*time.Second)
		if err != nil || got != c.want {
			t.Errorf("node to %s: reached %q (err %v), want %q", c.addr, got, err, c.want)
		}
	}
}

// A table an older minipod made (three NAT chains, no filter chain) is
// brought up to date in place: its pods' rules stay, the guards appear,
// and RemovePod still finds every rule of a pod.
func TestNATSetupUpgradesOldTable(t *testing.T) {
	natTestNetNS(t)
	subnet := mustCIDR(t, "10.89.0.0/16")
	masq, err := masqueradeRules(subnet, "minipod0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	ensureTable(c, preroutingChain, outputChain, postroutingChain)
	for _, r := range masq {
		c.AddRule(r)
	}
	if err := c.Flush(); err != nil {
		t.Fatalf("write the old layout: %v", err)
	}
	m := PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "tcp", PodIP: net.ParseIP("10.89.0.5")}
	if err := AddPortMappings("old", []PortMapping{m}); err != nil {
		t.Fatalf("AddPortMappings: %v", err)
	}
	for range 2 {
		if err := SetupNAT(subnet, "minipod0"); err != nil {
			t.Fatalf("SetupNAT over the old layout: %v", err)
		}
	}
	rule := `meta l4proto tcp th dport 8080 fib daddr type local dnat to 10.89.0.5:80 comment "minipod:pod=old"`
	wantNATRules(t, withFixed("prerouting: "+rule, "output: "+rule))
	checkNATChains(t)
	if err := RemovePod("old"); err != nil {
		t.Fatalf("RemovePod: %v", err)
	}
	wantNATRules(t, natFixed)
}
