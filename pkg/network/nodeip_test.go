package network

import (
	"net"
	"strings"
	"testing"
)

// netInterfacesNodeIP is how the node's address was found before
// NodeIP: every link, then the addresses of each candidate.
func netInterfacesNodeIP(bridge string) string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || i.Flags&net.FlagUp == 0 || i.Name == bridge || strings.HasPrefix(i.Name, VethPrefix) {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
				return n.IP.String()
			}
		}
	}
	return ""
}

// TestNodeIP: one dump of the addresses finds the address that walking
// the interfaces finds, here and with this host's own interface names
// taken for the bridge's.
func TestNodeIP(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	bridges := []string{DefaultBridge}
	for _, i := range ifs {
		bridges = append(bridges, i.Name)
	}
	for _, br := range bridges {
		if got, want := NodeIP(br), netInterfacesNodeIP(br); got != want {
			t.Errorf("bridge %s: NodeIP %q, want %q", br, got, want)
		}
	}
}

func BenchmarkNodeIP(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NodeIP(DefaultBridge)
	}
}
