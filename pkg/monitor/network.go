package monitor

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/podspec"
)

// netConfig is the node's pod network configuration.
func netConfig() (network.Config, error) { return network.LoadConfig(roots.Data) }

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
	mon.nodeAddress()
	if mon.pod.Spec.HostNetwork {
		return nil
	}
	pl, err := mon.plugIn(pausePID)
	if err != nil {
		return err
	}
	mon.plugged(pl)
	return nil
}

// nodeAddress records the node's address, and a hostNetwork pod's.
func (mon *monitor) nodeAddress() {
	mon.st.HostIP = nodeIP()
	if mon.pod.Spec.HostNetwork {
		mon.st.PodIP, mon.st.HostNetwork = mon.st.HostIP, true
	}
}

// plug is a pod's attachment to the pod network, not yet recorded.
type plug struct {
	att *network.Attachment
	cfg network.Config
}

// plugIn attaches the pod whose network namespace pausePID holds. It
// changes nothing of the monitor's, so that it may run beside the loop's
// goroutine (startPod); plugged records the outcome.
func (mon *monitor) plugIn(pausePID int) (plug, error) {
	cfg, err := netConfig()
	if err != nil {
		return plug{}, err
	}
	att, err := cfg.Attach(network.Owner{Pod: mon.pod.Name, UID: mon.pod.UID}, pausePID, hostPorts(mon.pod), roots.Alive)
	if err != nil {
		return plug{}, err
	}
	return plug{att: att, cfg: cfg}, nil
}

// plugged records an attachment: the pod's address, its hostPort sockets.
func (mon *monitor) plugged(pl plug) {
	heldPorts = pl.att.Ports
	mon.st.PodIP = pl.att.IP.String()
	mon.podIP.set(mon.st.PodIP)
	mon.st.AddEvent("Normal", "AddedInterface", "", "Add eth0 ["+pl.att.IP.String()+"/"+maskBits(pl.cfg.Subnet)+"] on "+pl.cfg.Bridge)
}

func maskBits(n *net.IPNet) string {
	ones, _ := n.Mask.Size()
	return strconv.Itoa(ones)
}

// nodeIP is the node's first global IPv4 address outside the pod network:
// status.hostIP.
func nodeIP() string {
	bridge := network.DefaultBridge
	if cfg, err := netConfig(); err == nil {
		bridge = cfg.Bridge
	}
	return network.NodeIP(bridge)
}

// nodeHostsFile is the node's /etc/hosts, which hostNetwork pods get.
func nodeHostsFile() string {
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return hostsFile("", "", "")
	}
	return "# Kubernetes-managed hosts file (host network).\n" + string(b)
}
