package pod

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// netConfig is the node's pod network configuration.
func netConfig() (network.Config, error) { return network.LoadConfig(roots.Data) }

// podAlive tells the network's lease store whether a pod still exists, so
// leases and hostPorts of pods lost in a crash can be reclaimed.
func podAlive(pod, uid string) bool {
	if state.ValidName(pod) != nil {
		return false
	}
	st, err := roots.Load(pod)
	if err != nil {
		return !errors.Is(err, state.ErrNotExist)
	}
	return st.UID == "" || uid == "" || st.UID == uid
}

// hostPorts collects the pod's published ports, each with its place in
// the manifest for errors.
func hostPorts(p *podspec.Pod) []network.PortMapping {
	var out []network.PortMapping
	for _, list := range []struct {
		field string
		ctrs  []podspec.Container
	}{{"spec.initContainers", p.Spec.InitContainers}, {"spec.containers", p.Spec.Containers}} {
		for i, c := range list.ctrs {
			for j, port := range c.Ports {
				if port.HostPort == 0 {
					continue
				}
				out = append(out, network.PortMapping{
					HostIP: net.ParseIP(port.HostIP), HostPort: uint16(port.HostPort),
					ContainerPort: uint16(port.ContainerPort), Protocol: strings.ToLower(port.Protocol),
					Field: fmt.Sprintf("%s[%d].ports[%d]", list.field, i, j),
				})
			}
		}
	}
	return out
}

// heldPorts are this monitor's hostPort sockets, kept open for the pod's
// life so that no host service can take a published port meanwhile; the
// kernel closes them if the monitor dies, and detachNetwork otherwise.
var heldPorts *network.PortHold

// attachNetwork puts the pod on the node's pod network (or records the
// node's address for hostNetwork pods).
func (mon *monitor) attachNetwork(pausePID int) error {
	mon.st.HostIP = nodeIP()
	if mon.pod.Spec.HostNetwork {
		mon.st.PodIP, mon.st.HostNetwork = mon.st.HostIP, true
		return nil
	}
	cfg, err := netConfig()
	if err != nil {
		return err
	}
	att, err := cfg.Attach(network.Owner{Pod: mon.pod.Name, UID: mon.pod.UID}, pausePID, hostPorts(mon.pod), podAlive)
	if err != nil {
		return err
	}
	heldPorts = att.Ports
	mon.st.PodIP = att.IP.String()
	mon.st.AddEvent("Normal", "AddedInterface", "", "Add eth0 ["+att.IP.String()+"/"+maskBits(cfg.Subnet)+"] on "+cfg.Bridge)
	return nil
}

func maskBits(n *net.IPNet) string {
	ones, _ := n.Mask.Size()
	return strconv.Itoa(ones)
}

// detachNetwork removes the pod's veth, lease, hostPorts and NAT rules.
func detachNetwork(st *state.Pod) error {
	if st.HostNetwork {
		return nil
	}
	cfg, err := netConfig()
	if err != nil {
		return err
	}
	// The pod being deleted still has its state directory: count it dead.
	alive := func(pod, uid string) bool { return pod != st.Name && podAlive(pod, uid) }
	err = cfg.Detach(network.Owner{Pod: st.Name, UID: st.UID}, alive, heldPorts)
	heldPorts = nil
	return err
}

// nodeIP is the node's first global IPv4 address outside the pod network:
// status.hostIP.
func nodeIP() string {
	bridge := network.DefaultBridge
	if cfg, err := netConfig(); err == nil {
		bridge = cfg.Bridge
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || i.Flags&net.FlagUp == 0 || i.Name == bridge || strings.HasPrefix(i.Name, network.VethPrefix) {
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

// nodeHostsFile is the node's /etc/hosts, which hostNetwork pods get.
func nodeHostsFile() string {
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return hostsFile("", "")
	}
	return "# Kubernetes-managed hosts file (host network).\n" + string(b)
}

// NetworkReset removes the pod bridge once no pod uses it: the one piece of
// node configuration `down` leaves in place.
func NetworkReset() error {
	cfg, err := netConfig()
	if err != nil {
		return err
	}
	return cfg.RemoveBridge(podAlive)
}
