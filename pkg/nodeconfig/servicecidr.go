package nodeconfig

import (
	"encoding/binary"
	"fmt"
	"net"
)

// DefaultServiceCIDR is the API server's default range of Service
// addresses.
const DefaultServiceCIDR = "10.96.0.0/16"

// ServiceCIDR reads the setting service-cidr: the range Services'
// virtual addresses come from, an IPv4 CIDR of at least 16 addresses.
func ServiceCIDR() (*net.IPNet, error) {
	cidr, err := String("service-cidr", DefaultServiceCIDR)
	if err != nil {
		return nil, err
	}
	_, n, err := net.ParseCIDR(cidr)
	if err != nil || n.IP.To4() == nil {
		return nil, fmt.Errorf("node setting service-cidr %q: want an IPv4 CIDR such as %s", cidr, DefaultServiceCIDR)
	}
	if ones, _ := n.Mask.Size(); ones > 28 {
		return nil, fmt.Errorf("node setting service-cidr %q: too small (at most /28)", cidr)
	}
	return n, nil
}

// KubernetesServiceIP is the address the API server gives its own
// Service, default/kubernetes: the range's first host address, which no
// other Service is given.
func KubernetesServiceIP(n *net.IPNet) net.IP {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, binary.BigEndian.Uint32(n.IP.To4())+1)
	return ip
}
