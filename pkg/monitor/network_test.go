package monitor

import (
	"net"
	"slices"
	"testing"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/podspec"
)

// hostPorts names where each published port is in the manifest, init
// containers included, so the network's errors can point at the field.
func TestHostPortsNameTheirField(t *testing.T) {
	m, _, err := podspec.Parse([]byte(`apiVersion: v1
kind: Pod
metadata:
  name: hp
spec:
  initContainers:
  - name: i
    image: busybox
    ports:
    - containerPort: 53
      hostPort: 5353
      protocol: UDP
      hostIP: 127.0.0.1
  containers:
  - name: a
    image: busybox
    ports:
    - containerPort: 81
  - name: b
    image: busybox
    ports:
    - containerPort: 82
    - containerPort: 80
      hostPort: 8080
`))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	got := hostPorts(m.Pods[0])
	want := []network.PortMapping{
		{HostIP: net.ParseIP("127.0.0.1"), HostPort: 5353, ContainerPort: 53, Protocol: "udp", Field: "spec.initContainers[0].ports[0]"},
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp", Field: "spec.containers[1].ports[1]"},
	}
	if !slices.EqualFunc(got, want, func(a, b network.PortMapping) bool {
		return a.HostIP.Equal(b.HostIP) && a.HostPort == b.HostPort && a.ContainerPort == b.ContainerPort && a.Protocol == b.Protocol && a.Field == b.Field
	}) {
		t.Fatalf("hostPorts:\n got  %+v\n want %+v", got, want)
	}
}
