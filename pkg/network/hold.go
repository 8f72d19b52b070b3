package network

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// PortHold is the sockets that keep a pod's hostPorts taken on the node
// while the pod runs, as the kubelet's old hostport manager did. Binding
// them is the check that no host service uses a port (the kernel's own
// answer, for every address, TCP and UDP, IPv6 sockets that take IPv4
// too); keeping them open means a host service started later gets
// EADDRINUSE instead of being silently shadowed by the pod's DNAT rule.
// The pod's monitor holds them; should it die, the kernel releases them.
type PortHold struct{ fds []int }

// Close releases the ports. A nil hold (a process that holds none) is
// fine, and so is closing twice.
func (h *PortHold) Close() error {
	if h == nil {
		return nil
	}
	var errs []error
	for _, fd := range h.fds {
		if err := unix.Close(fd); err != nil {
			errs = append(errs, fmt.Errorf("close hostPort socket: %w", err))
		}
	}
	h.fds = nil
	return errors.Join(errs...)
}

// holdPorts binds a socket to every hostPort of the pod. On error none is
// held, and a port in use is refused naming the socket that has it.
func holdPorts(ms []PortMapping) (*PortHold, error) {
	h := &PortHold{}
	for _, m := range holdTargets(ms) {
		fd, err := bindHostPort(m)
		if err != nil {
			_ = h.Close()
			return nil, err
		}
		h.fds = append(h.fds, fd)
	}
	return h, nil
}

// holdTargets leaves out the mappings another mapping of the same pod
// covers (same protocol and port, on every address or on the same one):
// the pod's own sockets would collide. SCTP is left out too: the kernel
// may not even have it, and the manifest check refuses SCTP hostPorts.
func holdTargets(ms []PortMapping) []PortMapping {
	wildcard := map[string]bool{}
	for _, m := range ms {
		if hostIPString(m.HostIP) == "0.0.0.0" {
			wildcard[m.Protocol+"/"+strconv.Itoa(int(m.HostPort))] = true
		}
	}
	seen := map[string]bool{}
	var out []PortMapping
	for _, m := range ms {
		key := portKey(m)
		if m.Protocol == "sctp" || seen[key] || (wildcard[m.Protocol+"/"+strconv.Itoa(int(m.HostPort))] && hostIPString(m.HostIP) != "0.0.0.0") {
			continue
		}
		seen[key] = true
		out = append(out, m)
	}
	return out
}

func bindHostPort(m PortMapping) (int, error) {
	typ := unix.SOCK_DGRAM
	if m.Protocol == "tcp" {
		typ = unix.SOCK_STREAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("hold hostPort %d: %w", m.HostPort, err)
	}
	if err = bindHeld(fd, m); err == nil {
		return fd, nil
	}
	unix.Close(fd)
	where := fmt.Sprintf("%d/%s on %s", m.HostPort, strings.ToUpper(m.Protocol), hostIPString(m.HostIP))
	if errors.Is(err, unix.EADDRINUSE) {
		return -1, &PortError{Field: m.field("hostPort"), Value: strconv.Itoa(int(m.HostPort)),
			Detail: where + " is already in use on the node, by " + describeHolder(m)}
	}
	return -1, fmt.Errorf("hold hostPort %s: %w", where, err)
}

// bindHeld binds fd to the mapping's address and port. A TCP socket also
// listens (backlog 0; the DNAT rules send every connection to the pod
// before it could be queued here): only a listening socket refuses later
// binders that set SO_REUSEADDR, as nearly every server does. Its own
// SO_REUSEADDR lets it bind over connections left in TIME_WAIT.
func bindHeld(fd int, m PortMapping) error {
	sa := &unix.SockaddrInet4{Port: int(m.HostPort)}
	if ip := m.HostIP.To4(); ip != nil {
		copy(sa.Addr[:], ip)
	}
	if m.Protocol != "tcp" {
		return unix.Bind(fd, sa)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := unix.Bind(fd, sa); err != nil {
		return err
	}
	return unix.Listen(fd, 0)
}
