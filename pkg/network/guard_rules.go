package network

import (
	"net"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Table bridge minipod keeps each pod to its own addresses on the bridge.
// A container has CAP_NET_RAW by default and writes what frames it likes
// on its eth0: without this table it could answer ARP for another pod's
// address (the node, and the other pods, then send that pod's traffic to
// it), send from another pod's address, or send from another pod's MAC
// (the bridge then forwards that pod's frames to it). The table's base
// chain sees every frame that enters the bridge from a pod's veth, before
// the bridge learns its source or the host takes it; a frame passes only
// with the pod's MAC, and an IPv4 packet or ARP message only with the
// pod's address as well (IPv6 is left to the MAC: pods have link-local
// addresses only, and take no router advertisements). Each pod adds its
// veth, MAC and address to the sets when it is attached (before its veth
// exists); they go when an attach prunes them, or at once for a pod that
// attaches again (guard.go). The rules are fixed, written with the NAT
// table's (setupNAT). Only the veths in set
// pod-ports are checked: a pod an older minipod attached keeps working
// (unguarded) until it is recreated.

// guardTable is table bridge minipod.
var guardTable = &nftables.Table{Name: TableName, Family: nftables.TableFamilyBridge}

// Chain and set names; distinct from the NAT table's chains, since rules
// are told apart by chain name (ruleKey).
const (
	chainPodGuard  = "pod-guard"
	chainPodFrames = "pod-frames"
	setPodPorts    = "pod-ports"
	setPodMACs     = "pod-macs"
	setPodAddrs    = "pod-addrs"
)

var (
	// guardChain sends what enters from a pod's veth to the checks,
	// before the bridge's own filtering (NF_BR_PRI_FILTER_BRIDGED).
	guardChain = &nftables.Chain{Name: chainPodGuard, Table: guardTable, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityRef(-200)}
	guardFramesChain = &nftables.Chain{Name: chainPodFrames, Table: guardTable}

	// podPorts holds the veths of the pods, podMACs veth . MAC of each,
	// podAddrs veth . MAC . IPv4.
	podPorts = &nftables.Set{Table: guardTable, Name: setPodPorts, KeyType: nftables.TypeIFName}
	podMACs  = &nftables.Set{Table: guardTable, Name: setPodMACs, Concatenation: true,
		KeyType: nftables.MustConcatSetType(nftables.TypeIFName, nftables.TypeEtherAddr)}
	podAddrs = &nftables.Set{Table: guardTable, Name: setPodAddrs, Concatenation: true,
		KeyType: nftables.MustConcatSetType(nftables.TypeIFName, nftables.TypeEtherAddr, nftables.TypeIPAddr)}
)

// Registers of the concatenated keys: the interface name fills four
// 4-byte registers, a MAC two, an IPv4 address one.
const (
	regKeyIfname = unix.NFT_REG32_00
	regKeyMAC    = unix.NFT_REG32_04
	regKeyAddr   = unix.NFT_REG32_06
)

// Ether types a pod may send, and the fixed head of an Ethernet/IPv4 ARP
// message (hardware type 1, protocol 0x0800, lengths 6 and 4): the only
// form whose sender fields sit where the check reads them.
var (
	etherIPv4 = []byte{0x08, 0x00}
	etherARP  = []byte{0x08, 0x06}
	etherIPv6 = []byte{0x86, 0xdd}
	arpHead   = []byte{0, 1, 8, 0, 6, 4}
)

// podGuardRules are the fixed rules of table bridge minipod.
func podGuardRules() []*nftables.Rule {
	rule := func(ch *nftables.Chain, parts ...[]expr.Any) *nftables.Rule {
		return &nftables.Rule{Table: guardTable, Chain: ch, Exprs: joinExprs(parts...)}
	}
	verdict := func(k expr.VerdictKind) []expr.Any { return []expr.Any{&expr.Verdict{Kind: k}} }
	return []*nftables.Rule{
		rule(guardChain, ifnameKey(), lookup(podPorts, false), []expr.Any{&expr.Verdict{Kind: expr.VerdictJump, Chain: chainPodFrames}}),
		rule(guardFramesChain, ifnameKey(), linkSource(), lookup(podMACs, true), verdict(expr.VerdictDrop)),
		rule(guardFramesChain, etherType(etherIPv4), ifnameKey(), linkSource(),
			[]expr.Any{&expr.Payload{DestRegister: regKeyAddr, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4}},
			lookup(podAddrs, false), verdict(expr.VerdictAccept)),
		rule(guardFramesChain, etherType(etherARP), []expr.Any{
			&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseNetworkHeader, Offset: 0, Len: uint32(len(arpHead))},
			&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: arpHead},
		}, ifnameKey(), []expr.Any{
			&expr.Payload{DestRegister: regKeyMAC, Base: expr.PayloadBaseNetworkHeader, Offset: 8, Len: 6},
			&expr.Payload{DestRegister: regKeyAddr, Base: expr.PayloadBaseNetworkHeader, Offset: 14, Len: 4},
		}, lookup(podAddrs, false), verdict(expr.VerdictAccept)),
		rule(guardFramesChain, etherType(etherIPv6), verdict(expr.VerdictAccept)),
		rule(guardFramesChain, verdict(expr.VerdictDrop)),
	}
}

func ifnameKey() []expr.Any {
	return []expr.Any{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: regKeyIfname}}
}

func linkSource() []expr.Any {
	return []expr.Any{&expr.Payload{DestRegister: regKeyMAC, Base: expr.PayloadBaseLLHeader, Offset: 6, Len: 6}}
}

func etherType(t []byte) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseLLHeader, Offset: 12, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: t},
	}
}

// lookup matches the key from regKeyIfname on in set s (not in it, with
// invert).
func lookup(s *nftables.Set, invert bool) []expr.Any {
	return []expr.Any{&expr.Lookup{SourceRegister: regKeyIfname, SetName: s.Name, SetID: s.ID, Invert: invert}}
}

// guardKeys are the keys of a pod's elements in podPorts, podMACs and
// podAddrs.
func guardKeys(veth string, mac net.HardwareAddr, ip net.IP) (port, macKey, addrKey []byte) {
	port = make([]byte, nftIfNameLen)
	copy(port, veth)
	m := make([]byte, 8) // 6 bytes, padded to two registers
	copy(m, mac)
	macKey = append(append([]byte{}, port...), m...)
	return port, macKey, append(append([]byte{}, macKey...), ip.To4()...)
}

// guardSets are the table's sets, in the order guardKeys gives their keys.
var guardSets = []*nftables.Set{podPorts, podMACs, podAddrs}

// PodMAC is the MAC of the eth0 of the pod at ip: locally administered,
// and the address after it, so that a pod that gets an address another
// pod had gets its MAC too, and a neighbour entry the node or a pod kept
// for the address stays right.
func PodMAC(ip net.IP) net.HardwareAddr { return bridgeMAC(ip) }
