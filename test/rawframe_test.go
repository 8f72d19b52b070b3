package test

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// What a container with CAP_NET_RAW can do: write whole Ethernet frames on
// its eth0, with any addresses, and read every frame that arrives. The
// attack tests use it to send what a pod's own kernel never would.

// rawLink is an AF_PACKET socket bound to one interface of a network
// namespace; it stays in that namespace whichever thread uses it.
type rawLink struct {
	fd  int
	idx int
	mac net.HardwareAddr
}

// openRawLink opens the socket on interface ifname of namespace ns.
func openRawLink(t testing.TB, ns netns.NsHandle, ifname string) *rawLink {
	t.Helper()
	l := &rawLink{fd: -1}
	err := inNetNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		l.idx, l.mac = ifi.Index, ifi.HardwareAddr
		proto := htons(unix.ETH_P_ALL)
		if l.fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(proto)); err != nil {
			return err
		}
		return unix.Bind(l.fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: l.idx})
	})
	if err != nil {
		if l.fd >= 0 {
			unix.Close(l.fd)
		}
		t.Fatalf("AF_PACKET socket on %s: %v", ifname, err)
	}
	t.Cleanup(func() { unix.Close(l.fd) })
	return l
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (l *rawLink) send(t testing.TB, frame []byte) {
	t.Helper()
	if err := unix.Sendto(l.fd, frame, 0, &unix.SockaddrLinklayer{Ifindex: l.idx, Halen: 6}); err != nil {
		t.Fatalf("send frame: %v", err)
	}
}

// recv returns the next frame that arrived on the link (not one sent from
// it) until the deadline, or nil.
func (l *rawLink) recv(deadline time.Time) []byte {
	buf := make([]byte, 2048)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		tv := unix.NsecToTimeval(left.Nanoseconds())
		_ = unix.SetsockoptTimeval(l.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		n, from, err := unix.Recvfrom(l.fd, buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil // timeout
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		return append([]byte(nil), buf[:n]...)
	}
}

// tcpSeg is the part of a TCP/IPv4 segment the tests look at.
type tcpSeg struct {
	src, dst     net.IP
	sport, dport uint16
	seq, ack     uint32
	flags        byte
}

const (
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// tcpFrame builds an Ethernet frame holding s (no TCP options, no data).
func tcpFrame(srcMAC, dstMAC net.HardwareAddr, s tcpSeg) []byte {
	tcp := make([]byte, 20)
	binary.BigEndian.PutUint16(tcp[0:], s.sport)
	binary.BigEndian.PutUint16(tcp[2:], s.dport)
	binary.BigEndian.PutUint32(tcp[4:], s.seq)
	binary.BigEndian.PutUint32(tcp[8:], s.ack)
	tcp[12] = 5 << 4
	tcp[13] = s.flags
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	pseudo := append(append(append([]byte{}, s.src.To4()...), s.dst.To4()...), 0, unix.IPPROTO_TCP, 0, 20)
	binary.BigEndian.PutUint16(tcp[16:], inetChecksum(append(pseudo, tcp...)))

	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(tcp)))
	binary.BigEndian.PutUint16(ip[4:], uint16(rand.Uint32()))
	ip[6] = 0x40 // don't fragment
	ip[8], ip[9] = 64, unix.IPPROTO_TCP
	copy(ip[12:], s.src.To4())
	copy(ip[16:], s.dst.To4())
	binary.BigEndian.PutUint16(ip[10:], inetChecksum(ip))
	return append(ethHeader(srcMAC, dstMAC, unix.ETH_P_IP), append(ip, tcp...)...)
}

// parseTCPFrame reads a TCP/IPv4 segment out of an Ethernet frame.
func parseTCPFrame(f []byte) (tcpSeg, bool) {
	if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != unix.ETH_P_IP {
		return tcpSeg{}, false
	}
	ip := f[14:]
	ihl := int(ip[0]&0x0f) * 4
	if ip[0]>>4 != 4 || ip[9] != unix.IPPROTO_TCP || len(ip) < ihl+20 {
		return tcpSeg{}, false
	}
	tcp := ip[ihl:]
	return tcpSeg{
		src: net.IP(append([]byte(nil), ip[12:16]...)), dst: net.IP(append([]byte(nil), ip[16:20]...)),
		sport: binary.BigEndian.Uint16(tcp[0:]), dport: binary.BigEndian.Uint16(tcp[2:]),
		seq: binary.BigEndian.Uint32(tcp[4:]), ack: binary.BigEndian.Uint32(tcp[8:]), flags: tcp[13],
	}, true
}

// handshake sends a SYN from src to dst:dport through gw (the MAC the frame
// is addressed to) and, if a SYN-ACK comes back within wait, completes the
// handshake with an ACK. It reports whether the SYN was answered.
func (l *rawLink) handshake(t testing.TB, gw net.HardwareAddr, src, dst net.IP, dport uint16, wait time.Duration) bool {
	t.Helper()
	syn := tcpSeg{src: src, dst: dst, sport: uint16(40000 + rand.IntN(20000)), dport: dport, seq: rand.Uint32(), flags: tcpSYN}
	l.send(t, tcpFrame(l.mac, gw, syn))
	deadline := time.Now().Add(wait)
	for {
		f := l.recv(deadline)
		if f == nil {
			return false
		}
		s, ok := parseTCPFrame(f)
		// The source is not checked: what matters is that the host's TCP
		// answered this SYN, whatever address it answered from.
		if !ok || s.sport != dport || s.dport != syn.sport || s.flags&(tcpSYN|tcpACK) != tcpSYN|tcpACK || s.ack != syn.seq+1 {
			continue
		}
		ack := tcpSeg{src: src, dst: s.src, sport: syn.sport, dport: dport, seq: syn.seq + 1, ack: s.seq + 1, flags: tcpACK}
		l.send(t, tcpFrame(l.mac, gw, ack))
		return true
	}
}

func ethHeader(src, dst net.HardwareAddr, ethType uint16) []byte {
	h := make([]byte, 14)
	copy(h[0:], dst)
	copy(h[6:], src)
	binary.BigEndian.PutUint16(h[12:], ethType)
	return h
}

// inetChecksum is the Internet checksum (RFC 1071) of b.
func inetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// routerAdvert builds an ICMPv6 router advertisement from the link-local
// address src to all nodes, sent to the MAC dst, announcing prefix as
// on-link for lifetime seconds. Its router lifetime is 0, so a host that
// takes it gets a route to the prefix but no default route.
func routerAdvert(srcMAC, dstMAC net.HardwareAddr, src net.IP, prefix *net.IPNet, lifetime uint32) []byte {
	ra := make([]byte, 16)
	ra[0] = 134 // router advertisement
	ra[4] = 64  // cur hop limit
	pi := make([]byte, 32)
	pi[0], pi[1] = 3, 4 // prefix information, 4×8 bytes
	ones, _ := prefix.Mask.Size()
	pi[2] = byte(ones)
	pi[3] = 0x80 // on-link, no autoconfiguration
	binary.BigEndian.PutUint32(pi[4:], lifetime)
	copy(pi[16:], prefix.IP.To16())
	sll := append([]byte{1, 1}, srcMAC...) // source link-layer address
	icmp := append(append(ra, pi...), sll...)

	dst := net.ParseIP("ff02::1")
	pseudo := make([]byte, 40)
	copy(pseudo[0:], src.To16())
	copy(pseudo[16:], dst)
	binary.BigEndian.PutUint32(pseudo[32:], uint32(len(icmp)))
	pseudo[39] = unix.IPPROTO_ICMPV6
	binary.BigEndian.PutUint16(icmp[2:], inetChecksum(append(pseudo, icmp...)))

	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(icmp)))
	ip[6], ip[7] = unix.IPPROTO_ICMPV6, 255 // neighbour discovery needs hop limit 255
	copy(ip[8:], src.To16())
	copy(ip[24:], dst)
	return append(ethHeader(srcMAC, dstMAC, unix.ETH_P_IPV6), append(ip, icmp...)...)
}

// randomULA is a /64 of fd00::/8 that nothing on the host uses.
func randomULA() *net.IPNet {
	ip := make(net.IP, 16)
	ip[0] = 0xfd
	for i := 1; i < 8; i++ {
		ip[i] = byte(rand.Uint32())
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(64, 128)}
}

// randomLinkLocal is a link-local address no interface has.
func randomLinkLocal() net.IP {
	ip := make(net.IP, 16)
	ip[0], ip[1] = 0xfe, 0x80
	binary.BigEndian.PutUint64(ip[8:], rand.Uint64()|1)
	return ip
}

// udpFrame builds an Ethernet frame holding a UDP/IPv4 datagram.
func udpFrame(srcMAC, dstMAC net.HardwareAddr, src, dst net.IP, sport, dport uint16, payload []byte) []byte {
	udp := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(udp[0:], sport)
	binary.BigEndian.PutUint16(udp[2:], dport)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	udp = append(udp, payload...)
	pseudo := append(append(append([]byte{}, src.To4()...), dst.To4()...), 0, unix.IPPROTO_UDP, byte(len(udp)>>8), byte(len(udp)))
	binary.BigEndian.PutUint16(udp[6:], inetChecksum(append(pseudo, udp...)))

	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
	binary.BigEndian.PutUint16(ip[4:], uint16(rand.Uint32()))
	ip[8], ip[9] = 64, unix.IPPROTO_UDP
	copy(ip[12:], src.To4())
	copy(ip[16:], dst.To4())
	binary.BigEndian.PutUint16(ip[10:], inetChecksum(ip))
	return append(ethHeader(srcMAC, dstMAC, unix.ETH_P_IP), append(ip, udp...)...)
}

// arpFrame builds an Ethernet/IPv4 ARP message (op 1 request, 2 reply)
// saying that spa is at sha, sent to the MAC dst.
func arpFrame(op uint16, sha net.HardwareAddr, spa net.IP, tha net.HardwareAddr, tpa net.IP, dst net.HardwareAddr) []byte {
	arp := []byte{0, 1, 8, 0, 6, 4, 0, 0}
	binary.BigEndian.PutUint16(arp[6:], op)
	arp = append(append(append(append(arp, sha...), spa.To4()...), tha...), tpa.To4()...)
	return append(ethHeader(sha, dst, unix.ETH_P_ARP), arp...)
}
