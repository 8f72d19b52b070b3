package network

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func (c Config) portDir() string { return filepath.Join(c.StateDir, "ports") }

// portKey names a reservation file: proto_port_hostIP.
func portKey(m PortMapping) string {
	return m.Protocol + "_" + strconv.Itoa(int(m.HostPort)) + "_" + hostIPString(m.HostIP)
}

func hostIPString(ip net.IP) string {
	if ip == nil || ip.IsUnspecified() {
		return "0.0.0.0"
	}
	return ip.String()
}

// PortConflictError names the port and the pod that holds it.
type PortConflictError struct {
	Mapping PortMapping
	Holder  string
}

func (e *PortConflictError) Error() string {
	return fmt.Sprintf("hostPort %d/%s on %s is already used by pod %q", e.Mapping.HostPort, strings.ToUpper(e.Mapping.Protocol), hostIPString(e.Mapping.HostIP), e.Holder)
}

// PortError is a hostPort the node cannot publish, worded like an API
// server's field error: path: Invalid value: "value": why.
type PortError struct {
	Field  string
	Value  string
	Detail string
}

func (e *PortError) Error() string {
	return fmt.Sprintf("%s: Invalid value: %q: %s", e.Field, e.Value, e.Detail)
}

// field names one field of the mapping in errors.
func (m PortMapping) field(name string) string {
	if m.Field == "" {
		return name
	}
	return m.Field + "." + name
}

// reservePorts claims the pod's hostPorts. Like the scheduler's
// NodePorts check, a port on 0.0.0.0 conflicts with the same port on any
// address. Reservations of pods that no longer exist are reclaimed. The
// caller holds the lock; on error nothing is reserved.
func (c Config) reservePorts(o Owner, ms []PortMapping, alive Alive) error {
	if len(ms) == 0 {
		return nil
	}
	if err := os.MkdirAll(c.portDir(), 0o700); err != nil {
		return fmt.Errorf("create port dir: %w", err)
	}
	held, err := c.reservations(alive)
	if err != nil {
		return err
	}
	for _, m := range ms {
		for key, holder := range held {
			if holder.Pod != o.Pod && conflicts(key, m) {
				return &PortConflictError{Mapping: m, Holder: holder.Pod}
			}
		}
	}
	for _, m := range ms {
		f, err := os.OpenFile(filepath.Join(c.portDir(), portKey(m)), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_CLOEXEC, 0o600)
		if err == nil {
			_, err = f.WriteString(o.String() + "\n")
			f.Close()
		}
		if err != nil {
			_ = c.releasePorts(o.Pod)
			return fmt.Errorf("reserve hostPort %d: %w", m.HostPort, err)
		}
	}
	return nil
}

// conflicts reports whether reservation key overlaps mapping m.
func conflicts(key string, m PortMapping) bool {
	parts := strings.SplitN(key, "_", 3)
	if len(parts) != 3 || parts[0] != m.Protocol || parts[1] != strconv.Itoa(int(m.HostPort)) {
		return false
	}
	ip := hostIPString(m.HostIP)
	return parts[2] == ip || parts[2] == "0.0.0.0" || ip == "0.0.0.0"
}

// reservations reads every reservation, dropping those of dead pods.
func (c Config) reservations(alive Alive) (map[string]Owner, error) {
	return readOwned(c.portDir(), alive)
}

// releasePorts drops the pod's reservations. The caller holds the lock.
func (c Config) releasePorts(pod string) error { return removeOwned(c.portDir(), pod) }
