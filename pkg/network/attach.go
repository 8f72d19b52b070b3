package network

import (
	"errors"
	"fmt"
	"net"
)

// Attachment is a pod's place on the network.
type Attachment struct {
	IP      net.IP
	Gateway net.IP
	Veth    string
}

// Attach gives the pod (whose network namespace pause holds) an address, a
// veth on the bridge, and its hostPorts (PodIP is filled in here). On error
// everything it did is undone.
func (c Config) Attach(o Owner, pausePID int, ports []PortMapping, alive Alive) (*Attachment, error) {
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, err := c.attach(o, pausePID, ports, alive)
	if err != nil {
		_ = c.detach(o, alive)
		return nil, err
	}
	return a, nil
}

func (c Config) attach(o Owner, pausePID int, ports []PortMapping, alive Alive) (*Attachment, error) {
	br, err := c.ensureBridge()
	if err != nil {
		return nil, err
	}
	if err := SetupNAT(c.Subnet, c.Bridge); err != nil {
		return nil, err
	}
	ip, err := c.allocate(o, alive)
	if err != nil {
		return nil, err
	}
	for i := range ports {
		ports[i].PodIP = ip
	}
	if err := c.reservePorts(o, ports, alive); err != nil {
		return nil, err
	}
	veth, err := c.addVeth(br, o, pausePID, ip)
	if err != nil {
		return nil, err
	}
	if err := AddPortMappings(o.Pod, ports); err != nil {
		return nil, err
	}
	return &Attachment{IP: ip, Gateway: c.Gateway, Veth: veth}, nil
}

// Detach removes everything Attach made for the pod; when no live pod is
// left on the node it also removes the NAT table and puts ip_forward back.
// The bridge itself stays, as docker0 and podman's bridge do: deleting a
// net device waits for an RCU grace period (~50 ms here), which would be
// paid by every `down` of a last pod and again by the next `up`.
// Idempotent, and it works after the pod's processes are long gone.
func (c Config) Detach(o Owner, alive Alive) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.detach(o, alive)
}

func (c Config) detach(o Owner, alive Alive) error {
	errs := []error{RemovePod(o.Pod), c.releasePorts(o.Pod), c.release(o.Pod), delVeth(o)}
	leases, err := c.reclaim(alive)
	if err != nil {
		errs = append(errs, err)
	} else if len(leases) == 0 {
		errs = append(errs, TeardownNAT(), c.restoreForwarding())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("detach %s from the network: %w", o.Pod, err)
	}
	return nil
}
