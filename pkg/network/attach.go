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
	// Ports keeps the pod's hostPorts taken on the node; the caller (the
	// pod's monitor) keeps it for the pod's life and hands it to Detach.
	Ports *PortHold
}

// Attach gives the pod (whose network namespace pause holds) an address, a
// veth on the bridge, and its hostPorts (PodIP is filled in here). A
// hostIP that is not the node's, or a hostPort a host socket already uses,
// is refused naming the manifest field. On error everything it did is
// undone.
func (c Config) Attach(o Owner, pausePID int, ports []PortMapping, alive Alive) (*Attachment, error) {
	// A manifest's mistake is found before the lock, at no cost to others.
	if err := verifyHostIPs(ports); err != nil {
		return nil, err
	}
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, err := c.attach(o, pausePID, ports, alive)
	if err != nil {
		_ = c.detach(o, alive, nil, delVeth, true)
		return nil, err
	}
	return a, nil
}

func (c Config) attach(o Owner, pausePID int, ports []PortMapping, alive Alive) (*Attachment, error) {
	br, err := c.ensureBridge()
	if err != nil {
		return nil, err
	}
	chk, err := c.ensureNAT()
	if err != nil {
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
	held, err := holdPorts(ports)
	if err != nil {
		return nil, err
	}
	if err := c.guardPod(o, ip, chk); err != nil {
		return nil, errors.Join(err, held.Close())
	}
	veth, err := c.addVeth(br, o, pausePID, ip)
	if err == nil {
		err = AddPortMappings(o.Pod, ports)
	}
	if err != nil {
		return nil, errors.Join(err, held.Close())
	}
	return &Attachment{IP: ip, Gateway: c.Gateway, Veth: veth, Ports: held}, nil
}

// Detach removes everything Attach made for the pod and closes held (its
// hostPort sockets: nil in any process but the pod's monitor, whose death
// released them already); when no live pod is left on the node it also
// puts ip_forward back. It is for a pod that is over: its processes are
// gone and nothing of minipod holds its network namespace any more. Its
// veth pair is cut off, not deleted (cutVeth): the kernel deletes it with
// the namespace, moments later.
// The bridge and the table (with its fixed masquerade and guard rules, but
// no pod's rules) stay, as docker0 and docker's chains do: deleting a net
// device, or the netfilter hooks of base chains, waits for RCU grace
// periods (tens of ms here), which would be paid by every `down` of a
// last pod and again by the next `up`. `minipod network reset` removes
// both.
// Idempotent, and it works after the pod's processes are long gone.
func (c Config) Detach(o Owner, alive Alive, held *PortHold) error {
	return c.detachLocked(o, alive, held, cutVeth, false)
}

// DetachDeleting is Detach with the pod's veth pair deleted before it
// returns: for a pod that attaches again right after (a new sandbox takes
// the pair's name), or one whose teardown cannot tell whether something
// keeps its network namespace, and a cut pair with it, alive.
func (c Config) DetachDeleting(o Owner, alive Alive, held *PortHold) error {
	return c.detachLocked(o, alive, held, delVeth, true)
}

func (c Config) detachLocked(o Owner, alive Alive, held *PortHold, dropVeth func(Owner) error, unguard bool) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.detach(o, alive, held, dropVeth, unguard)
}

// detach undoes Attach; dropVeth deals with the pod's veth pair (delVeth
// where the pair must be gone when it returns, as after a failed attach).
// The pod's entries in the guard table (guard.go) go only with unguard,
// for a pod that may attach again under the same veth name: deleting set
// elements waits for RCU grace periods (7-20 ms here), and entries for a
// veth that no longer exists let nothing through; a later attach prunes
// them.
func (c Config) detach(o Owner, alive Alive, held *PortHold, dropVeth func(Owner) error, unguard bool) error {
	// The DNAT rules go before the sockets (no host service can bind the
	// port while the rules still send it to the pod), and both before the
	// lock is released (the next pod to publish the port finds it free).
	// Rules are searched for by the pod's name whether or not it has
	// reservations: a failed detach may have lost those with the pod's
	// state, and rules left behind would send the port to whichever pod
	// gets the address next.
	errs := []error{RemovePod(o.Pod), held.Close(), c.releasePorts(o.Pod), c.release(o.Pod), dropVeth(o)}
	if unguard {
		errs = append(errs, c.unguardPod(o))
	} else {
		errs = append(errs, c.guardLeft())
	}
	leases, err := c.reclaim(alive)
	if err != nil {
		errs = append(errs, err)
	} else if len(leases) == 0 {
		errs = append(errs, c.restoreForwarding())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("detach %s from the network: %w", o.Pod, err)
	}
	return nil
}
