package network

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// hostSocket is one socket of /proc/net/{tcp,udp}{,6}.
type hostSocket struct {
	addr  netip.AddrPort
	state byte // the kernel's TCP state number; UDP uses 7 (unbound peer) and 1 (connected)
	inode uint64
}

const (
	tcpListen   = 0x0a
	tcpTimeWait = 0x06
	udpUnbound  = 0x07 // a UDP socket with no peer: a server
)

// describeHolder names the host socket that keeps m's port: its address
// and the process that has it open, as far as /proc tells. It only runs
// when a port is refused, so walking every process is fine.
func describeHolder(m PortMapping) string {
	socks := boundSockets(m)
	if len(socks) == 0 {
		return "a socket minipod could not find in /proc/net"
	}
	s := socks[0]
	what := "socket " + s.addr.String()
	if s.state == tcpListen || (m.Protocol == "udp" && s.state == udpUnbound) {
		what = "listener " + s.addr.String()
	}
	if owners := socketOwners(s.inode); len(owners) > 0 {
		what += " (" + describeOwners(owners) + ")"
	}
	return what
}

// maxOwnersNamed bounds the processes an error names for one socket (a
// server's workers share their listener).
const maxOwnersNamed = 3

type owner struct {
	pid  int
	comm string
}

// describeOwners names the processes that have a socket open, lowest
// PID first: all of them, for a process that forks (and its child holds
// the socket until it execs) must not hide the one that bound it.
func describeOwners(owners []owner) string {
	var parts []string
	for i, o := range owners {
		if i == maxOwnersNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(owners)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("process %q, pid %d", o.comm, o.pid))
	}
	return strings.Join(parts, "; ")
}

// boundSockets lists the sockets of the calling thread's network namespace
// on m's protocol and port whose address overlaps m's hostIP, servers
// first. TIME_WAIT leftovers are not listed: they do not keep the port.
func boundSockets(m PortMapping) []hostSocket {
	var out []hostSocket
	for _, file := range []string{m.Protocol, m.Protocol + "6"} {
		for _, s := range readSockets(filepath.Join("/proc/thread-self/net", file)) {
			if s.addr.Port() == m.HostPort && s.state != tcpTimeWait && overlaps(s.addr.Addr(), m.HostIP) {
				out = append(out, s)
			}
		}
	}
	server := func(s hostSocket) bool { return s.state == tcpListen || s.state == udpUnbound }
	sort.SliceStable(out, func(i, j int) bool { return server(out[i]) && !server(out[j]) })
	return out
}

// overlaps reports whether a socket bound to a takes IPv4 traffic to
// hostIP (nil or 0.0.0.0: to any address). An IPv6 wildcard socket may
// take IPv4 too, so it counts.
func overlaps(a netip.Addr, hostIP net.IP) bool {
	a = a.Unmap()
	switch {
	case a.IsUnspecified():
		return true
	case !a.Is4():
		return false
	case hostIP == nil || hostIP.IsUnspecified():
		return true
	}
	want, ok := netip.AddrFromSlice(hostIP.To4())
	return ok && a == want
}

// readSockets parses a /proc/net socket table; a missing one (no IPv6) is
// empty.
func readSockets(path string) []hostSocket {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []hostSocket
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 10 {
			continue
		}
		addr, ok := parseProcAddr(fs[1])
		st, err1 := strconv.ParseUint(fs[3], 16, 8)
		inode, err2 := strconv.ParseUint(fs[9], 10, 64)
		if ok && err1 == nil && err2 == nil {
			out = append(out, hostSocket{addr: addr, state: byte(st), inode: inode})
		}
	}
	return out
}

// parseProcAddr reads "0100007F:1F90": the address as the kernel prints
// it (32-bit words in host byte order) and the port.
func parseProcAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	raw, err := hex.DecodeString(h)
	port, perr := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || perr != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	b := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a, uint16(port)), true
}

// socketOwners finds the processes with socket inode open: their pids
// and names, lowest PID first.
func socketOwners(inode uint64) []owner {
	if inode == 0 {
		return nil
	}
	want := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	procs, _ := os.ReadDir("/proc")
	var out []owner
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if holds(p.Name(), want) {
			comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
			out = append(out, owner{pid, strings.TrimSpace(string(comm))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pid < out[j].pid })
	return out
}

// holds tells whether process pid has the file link (a socket:[inode]) open.
func holds(pid, link string) bool {
	fds, _ := os.ReadDir(filepath.Join("/proc", pid, "fd"))
	for _, fd := range fds {
		if l, _ := os.Readlink(filepath.Join("/proc", pid, "fd", fd.Name())); l == link {
			return true
		}
	}
	return false
}
