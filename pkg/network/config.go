package network

import (
	"fmt"
	"net"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
)

// Config says where pods live on the node's network.
type Config struct {
	Bridge   string     // host bridge name, default minipod0
	Subnet   *net.IPNet // pod subnet, default 10.89.0.0/16
	Gateway  net.IP     // the bridge's address: the subnet's first host
	StateDir string     // leases, port reservations, lock
}

// Defaults; 10.89.0.0/16 avoids podman's 10.88.0.0/16 and Docker's 172.17/16.
const (
	DefaultBridge = "minipod0"
	DefaultSubnet = "10.89.0.0/16"
)

// LoadConfig reads the node settings `bridge` and `subnet` (in
// /etc/minipod/config, or MINIPOD_BRIDGE and MINIPOD_SUBNET) over the
// defaults.
func LoadConfig(dataDir string) (Config, error) {
	bridge, err := nodeconfig.String("bridge", DefaultBridge)
	if err != nil {
		return Config{}, err
	}
	subnet, err := nodeconfig.String("subnet", DefaultSubnet)
	if err != nil {
		return Config{}, err
	}
	return newConfig(bridge, subnet, dataDir+"/network")
}

func newConfig(bridge, subnet, dir string) (Config, error) {
	if len(bridge) == 0 || len(bridge) > 15 || strings.ContainsAny(bridge, "/ \t") {
		return Config{}, fmt.Errorf("network config: bridge name %q must be 1-15 characters without '/' or spaces", bridge)
	}
	ip, n, err := net.ParseCIDR(subnet)
	if err != nil || ip.To4() == nil {
		return Config{}, fmt.Errorf("network config: subnet %q is not an IPv4 CIDR", subnet)
	}
	if ones, _ := n.Mask.Size(); ones > 29 {
		return Config{}, fmt.Errorf("network config: subnet %s is too small (at most /29)", subnet)
	}
	return Config{Bridge: bridge, Subnet: n, Gateway: nthIP(n, 1), StateDir: dir}, nil
}

// nthIP returns the n-th address of the subnet (0 = network address).
func nthIP(n *net.IPNet, i uint32) net.IP {
	base := ipToU32(n.IP.To4())
	return u32ToIP(base + i)
}

func ipToU32(ip net.IP) uint32 {
	ip = ip.To4()
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

func u32ToIP(v uint32) net.IP { return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4() }

// size is the number of addresses in the subnet.
func size(n *net.IPNet) uint32 {
	ones, bits := n.Mask.Size()
	return 1 << uint(bits-ones)
}
