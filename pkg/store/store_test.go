package store

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

func testStore(t *testing.T) Store {
	d := t.TempDir()
	r := state.Roots{Run: filepath.Join(d, "run"), Data: filepath.Join(d, "data")}
	t.Cleanup(func() { // SecureRun may have mounted a tmpfs on the run root
		var self, parent unix.Stat_t
		if unix.Stat(r.Run, &self) == nil && unix.Stat(d, &parent) == nil && self.Dev != parent.Dev {
			_ = unix.Unmount(r.Run, unix.MNT_DETACH)
		}
	})
	t.Setenv("MINIPOD_CONFIG", filepath.Join(d, "none"))
	return New(r)
}

func svc(name, typ string, ports ...podspec.ServicePort) *podspec.Service {
	s := &podspec.Service{ObjectMeta: podspec.ObjectMeta{Name: name, Namespace: "default"}, Spec: podspec.ServiceSpec{Type: typ, Ports: ports}}
	return s
}

// TestServiceAllocation: addresses come from the range, are unique, and
// an update keeps them; what is asked for is checked as the API server
// checks it.
func TestServiceAllocation(t *testing.T) {
	s := testStore(t)
	_, cidr, _ := net.ParseCIDR(DefaultServiceCIDR)
	seen := map[string]bool{}
	for _, n := range []string{"a", "b", "c"} {
		sv := svc(n, "NodePort", podspec.ServicePort{Port: 80, Protocol: "TCP"})
		if res, err := s.ApplyService(sv); err != nil || res != Created {
			t.Fatalf("apply %s: %v %v", n, res, err)
		}
		if ip := net.ParseIP(sv.Spec.ClusterIP); ip == nil || !cidr.Contains(ip) || seen[sv.Spec.ClusterIP] {
			t.Errorf("%s: clusterIP %q", n, sv.Spec.ClusterIP)
		}
		seen[sv.Spec.ClusterIP] = true
		if p := sv.Spec.Ports[0].NodePort; p < 30000 || p > 32767 || seen[fmt.Sprint(p)] {
			t.Errorf("%s: nodePort %d", n, p)
		}
		seen[fmt.Sprint(sv.Spec.Ports[0].NodePort)] = true
	}
	a, _ := s.Service("default", "a")
	again := svc("a", "NodePort", podspec.ServicePort{Port: 80, Protocol: "TCP"})
	if _, err := s.ApplyService(again); err != nil || again.Spec.ClusterIP != a.Spec.ClusterIP || again.Spec.Ports[0].NodePort != a.Spec.Ports[0].NodePort {
		t.Errorf("update did not keep the addresses: %+v vs %+v (%v)", again.Spec, a.Spec, err)
	}
	b, _ := s.Service("default", "b")
	for _, c := range []struct {
		s    *podspec.Service
		want string
	}{
		{svc("d", "NodePort", podspec.ServicePort{Port: 80, Protocol: "TCP", NodePort: b.Spec.Ports[0].NodePort}), "provided port is already allocated"},
		{svc("d", "NodePort", podspec.ServicePort{Port: 80, Protocol: "TCP", NodePort: 80}), "provided port is not in the valid range. The range of valid ports is 30000-32767"},
		{func() *podspec.Service { x := svc("d", "ClusterIP"); x.Spec.ClusterIP = "1.2.3.4"; return x }(), "is not in the valid range. The range of valid IPs is 10.96.0.0/16"},
		{func() *podspec.Service { x := svc("d", "ClusterIP"); x.Spec.ClusterIP = b.Spec.ClusterIP; return x }(), "provided IP is already allocated"},
		{func() *podspec.Service { x := svc("a", "NodePort"); x.Spec.ClusterIP = "10.96.9.9"; return x }(), "may not change once set"},
		// default/kubernetes's, which every pod's variables name.
		{func() *podspec.Service { x := svc("d", "ClusterIP"); x.Spec.ClusterIP = "10.96.0.1"; return x }(), "provided IP is already allocated"},
	} {
		if _, err := s.ApplyService(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("apply %s: %v, want %q", c.s.Name, err, c.want)
		}
	}
	if err := s.Delete(Services, "default", "a", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service("default", "a"); err == nil {
		t.Error("a deleted Service is still there")
	}
}

// TestServiceRanges: the node settings are read and checked.
func TestServiceRanges(t *testing.T) {
	for _, c := range []struct{ cidr, ports, want string }{
		{"10.100.0.0/24", "20000-20010", ""},
		{"bogus", "", "service-cidr"},
		{"10.0.0.0/30", "", "too small"},
		{"", "40000-30000", "service-node-port-range"},
	} {
		t.Setenv("MINIPOD_SERVICE_CIDR", c.cidr)
		t.Setenv("MINIPOD_SERVICE_NODE_PORT_RANGE", c.ports)
		t.Setenv("MINIPOD_CONFIG", "/nonexistent")
		r, err := Ranges()
		if c.want == "" && (err != nil || r.CIDR.String() != c.cidr || r.PortFirst != 20000 || r.PortEnd != 20010) {
			t.Errorf("%v: %+v %v", c, r, err)
		}
		if c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v: %v, want %q", c, err, c.want)
		}
	}
}

// TestServiceKeepsReservedAddress: a Service that holds the address
// default/kubernetes is given (it got it under another service-cidr)
// keeps it when applied again; no other Service may take it.
func TestServiceKeepsReservedAddress(t *testing.T) {
	s := testStore(t)
	held := svc("held", "ClusterIP", podspec.ServicePort{Port: 80, Protocol: "TCP"})
	held.Spec.ClusterIP = "10.96.1.1"
	if _, err := s.ApplyService(held); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINIPOD_SERVICE_CIDR", "10.96.1.0/24") // its first address is held's now
	again := svc("held", "ClusterIP", podspec.ServicePort{Port: 81, Protocol: "TCP"})
	if _, err := s.ApplyService(again); err != nil || again.Spec.ClusterIP != "10.96.1.1" {
		t.Errorf("update of the Service holding the address: %v, clusterIP %q", err, again.Spec.ClusterIP)
	}
	other := svc("other", "ClusterIP", podspec.ServicePort{Port: 80, Protocol: "TCP"})
	other.Spec.ClusterIP = "10.96.1.1"
	if _, err := s.ApplyService(other); err == nil || !strings.Contains(err.Error(), "provided IP is already allocated") {
		t.Errorf("another Service asking for it: %v", err)
	}
}
