package network

import (
	"fmt"
	"net"
	"testing"
)

// TestServiceManyPorts: one Service with 2000 ports is one batch of some
// 8000 objects; it must go through (the send buffer) and come back out.
func TestServiceManyPorts(t *testing.T) {
	svcTestSetup(t)
	var ports []ServicePort
	for i := range 2000 {
		ports = append(ports, ServicePort{
			Name: fmt.Sprintf("default/atks-many-9d1c3f2a-svc:p%d", i), ClusterIP: net.IPv4(10, 96, 7, 7), Port: uint16(10000 + i), Protocol: "tcp",
			Endpoints: []Endpoint{{IP: net.IPv4(10, 99, 0, 10), Port: 80}},
		})
	}
	if sent := svcTestSync(t, ports); !sent {
		t.Fatal("no batch sent")
	}
	if sent := svcTestSync(t, nil); !sent {
		t.Fatal("no batch sent for the removal")
	}
}
