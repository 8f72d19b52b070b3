package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
)

// The node settings of Services, with the API server's defaults.
const (
	DefaultServiceCIDR   = nodeconfig.DefaultServiceCIDR
	DefaultNodePortRange = "30000-32767"
)

// ServiceRanges are where a Service's addresses come from.
type ServiceRanges struct {
	CIDR               *net.IPNet
	PortFirst, PortEnd int32
}

// Ranges reads service-cidr and service-node-port-range.
func Ranges() (ServiceRanges, error) {
	var r ServiceRanges
	n, err := nodeconfig.ServiceCIDR()
	if err != nil {
		return r, err
	}
	r.CIDR = n
	ports, err := setting("service-node-port-range", DefaultNodePortRange)
	if err != nil {
		return r, err
	}
	a, b, ok := strings.Cut(ports, "-")
	first, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || first < 1 || end > 65535 || first > end {
		return r, fmt.Errorf("node setting service-node-port-range %q: want FIRST-LAST such as %s", ports, DefaultNodePortRange)
	}
	r.PortFirst, r.PortEnd = int32(first), int32(end)
	return r, nil
}

func setting(key, def string) (string, error) {
	v, ok, err := nodeconfig.Lookup(key)
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

// ApplyService stores svc as the API server does on create or update: a
// virtual IP from the service range (or the one asked for, if free), a
// node port for each port of a NodePort Service (or the one asked for, if
// in range and free); an update keeps what was allocated.
func (s Store) ApplyService(svc *podspec.Service) (Result, error) {
	return s.locked(func() (Result, error) { return s.applyService(svc) })
}

func (s Store) applyService(svc *podspec.Service) (Result, error) {
	old, err := s.Service(svc.Namespace, svc.Name)
	if err != nil && !errors.Is(err, podspec.ErrObjectNotFound) {
		return "", err
	}
	if err != nil {
		old = nil
	}
	if err := s.allocate(svc, old); err != nil {
		return "", fmt.Errorf("services %q is invalid: %w", svc.Name, err)
	}
	if old != nil {
		return s.replace(Services, &old.ObjectMeta, &svc.ObjectMeta, old, svc)
	}
	return s.create(Services, &svc.ObjectMeta, svc)
}

// allocate gives svc its ClusterIP and node ports, checked against every
// other Service of the node.
func (s Store) allocate(svc, old *podspec.Service) error {
	r, err := Ranges()
	if err != nil {
		return err
	}
	usedIPs, usedPorts, err := s.used(svc)
	if err != nil {
		return err
	}
	// default/kubernetes has it, as in a cluster: every pod's variables
	// name it, and the pod network refuses connections to it. A Service
	// that was given it before (a minipod that did not keep it, another
	// service-cidr) keeps it on update, as any Service keeps its address.
	if kept := nodeconfig.KubernetesServiceIP(r.CIDR).String(); old == nil || old.Spec.ClusterIP != kept {
		usedIPs[kept] = true
	}
	if err := allocateIP(svc, old, r, usedIPs); err != nil {
		return err
	}
	return allocatePorts(svc, old, r, usedPorts)
}

// used lists the addresses and node ports of every Service but svc.
func (s Store) used(svc *podspec.Service) (map[string]bool, map[int32]bool, error) {
	all, err := s.List(Services, "")
	if err != nil {
		return nil, nil, err
	}
	ips, ports := map[string]bool{}, map[int32]bool{}
	for _, e := range all {
		o := e.Object.(*podspec.Service)
		if o.Namespace == svc.Namespace && o.Name == svc.Name {
			continue
		}
		ips[o.Spec.ClusterIP] = true
		for _, p := range o.Spec.Ports {
			if p.NodePort != 0 {
				ports[p.NodePort] = true
			}
		}
	}
	return ips, ports, nil
}

func allocateIP(svc, old *podspec.Service, r ServiceRanges, used map[string]bool) error {
	sp := &svc.Spec
	if old != nil {
		if sp.ClusterIP != "" && sp.ClusterIP != old.Spec.ClusterIP {
			return fmt.Errorf("spec.clusterIPs[0]: Invalid value: %q: may not change once set", sp.ClusterIP)
		}
		sp.ClusterIP = old.Spec.ClusterIP
	}
	switch ip := sp.ClusterIP; {
	case ip == podspec.ClusterIPNone:
	case ip != "":
		if !r.CIDR.Contains(net.ParseIP(ip)) {
			return fmt.Errorf("spec.clusterIPs[0]: Invalid value: %q: failed to allocate IP %s: the provided IP (%s) is not in the valid range. The range of valid IPs is %s", ip, ip, ip, r.CIDR)
		}
		if used[ip] {
			return fmt.Errorf("spec.clusterIPs[0]: Invalid value: %q: failed to allocate IP %s: provided IP is already allocated", ip, ip)
		}
	default:
		ip, err := freeIP(r.CIDR, used)
		if err != nil {
			return err
		}
		sp.ClusterIP = ip
	}
	if sp.ClusterIP != podspec.ClusterIPNone {
		sp.ClusterIPs = []string{sp.ClusterIP}
	} else {
		sp.ClusterIPs = []string{podspec.ClusterIPNone}
	}
	return nil
}

// freeIP picks a random free address of the range, past its first (the
// kubernetes Service's, by convention) and short of its broadcast.
func freeIP(n *net.IPNet, used map[string]bool) (string, error) {
	base := binary.BigEndian.Uint32(n.IP.To4())
	ones, bits := n.Mask.Size()
	size := uint32(1) << (bits - ones)
	start := randUint32() % (size - 3)
	for i := uint32(0); i < size-3; i++ {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], base+2+(start+i)%(size-3))
		ip := net.IP(b[:]).String()
		if !used[ip] {
			return ip, nil
		}
	}
	return "", fmt.Errorf("spec.clusterIPs: Internal error: failed to allocate a serviceIP: range is full")
}

func allocatePorts(svc, old *podspec.Service, r ServiceRanges, used map[int32]bool) error {
	if svc.Spec.Type != podspec.ServiceTypeNodePort {
		return nil
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		if p.NodePort == 0 && old != nil {
			p.NodePort = keptNodePort(old, p)
		}
		path := fmt.Sprintf("spec.ports[%d].nodePort", i)
		switch {
		case p.NodePort != 0 && (p.NodePort < r.PortFirst || p.NodePort > r.PortEnd):
			return fmt.Errorf("%s: Invalid value: %d: provided port is not in the valid range. The range of valid ports is %d-%d", path, p.NodePort, r.PortFirst, r.PortEnd)
		case p.NodePort != 0 && used[p.NodePort]:
			return fmt.Errorf("%s: Invalid value: %d: provided port is already allocated", path, p.NodePort)
		case p.NodePort == 0:
			n, err := freePort(r, used)
			if err != nil {
				return err
			}
			p.NodePort = n
		}
		used[p.NodePort] = true
	}
	return nil
}

// keptNodePort is the node port an update keeps: the old one of the same
// port and protocol.
func keptNodePort(old *podspec.Service, p *podspec.ServicePort) int32 {
	for _, o := range old.Spec.Ports {
		if o.Port == p.Port && o.Protocol == p.Protocol {
			return o.NodePort
		}
	}
	return 0
}

func freePort(r ServiceRanges, used map[int32]bool) (int32, error) {
	n := r.PortEnd - r.PortFirst + 1
	start := int32(randUint32() % uint32(n))
	for i := int32(0); i < n; i++ {
		if p := r.PortFirst + (start+i)%n; !used[p] {
			return p, nil
		}
	}
	return 0, fmt.Errorf("spec.ports: Internal error: failed to allocate a nodePort: range is full")
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
