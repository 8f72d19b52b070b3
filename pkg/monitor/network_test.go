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

// The kubelet's resolv.conf for a pod: the node's as it is without
// dnsConfig; merged with it (appended without repeats, options by name);
// dnsConfig alone with dnsPolicy None.
func TestPodResolv(t *testing.T) {
	node := []byte("# generated\nnameserver 10.0.0.2\nsearch example.org\noptions ndots:5 timeout:1\n")
	two := "2"
	cfg := &podspec.PodDNSConfig{Nameservers: []string{"192.0.2.1", "10.0.0.2"}, Searches: []string{"a.example"},
		Options: []podspec.PodDNSConfigOption{{Name: "ndots", Value: &two}, {Name: "edns0"}}}
	for _, tc := range []struct {
		policy string
		cfg    *podspec.PodDNSConfig
		want   string
	}{
		{"ClusterFirst", nil, string(node)},
		{"Default", cfg, "nameserver 10.0.0.2\nnameserver 192.0.2.1\nsearch example.org a.example\noptions ndots:2 timeout:1 edns0\n"},
		{"None", cfg, "nameserver 192.0.2.1\nnameserver 10.0.0.2\nsearch a.example\noptions ndots:2 edns0\n"},
	} {
		p := &podspec.Pod{Spec: podspec.PodSpec{DNSPolicy: tc.policy, DNSConfig: tc.cfg}}
		if got := string(podResolv(p, node)); got != tc.want {
			t.Errorf("%s: resolv.conf\n%s\nwant\n%s", tc.policy, got, tc.want)
		}
	}
}
