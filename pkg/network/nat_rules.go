package network

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// Chain names inside table ip minipod.
const (
	chainPrerouting  = "prerouting"
	chainOutput      = "output"
	chainPostrouting = "postrouting"
)

// Rule comments. Every rule minipod writes carries one, so that a rule can
// always be traced back to whoever owns it, both by RemovePod and by a human
// reading `nft list table ip minipod`.
const (
	commentPodPrefix = "minipod:pod="
	commentEgress    = "minipod:egress"
	commentLocalnet  = "minipod:localnet"
	commentHairpin   = "minipod:hairpin"
	// nft refuses to parse comments longer than this (NFT_COMMENT_MAXLEN),
	// so longer ones would make the listed ruleset impossible to replay.
	maxCommentLen = 128
)

// Registers used by the expressions. NFT_REG_1 and NFT_REG_2 are the
// 16-byte registers; each rule is evaluated on its own, so reusing them is
// fine.
const (
	regMatch = 1
	regAddr  = 1
	regPort  = 2
)

// nftIfNameLen is IFNAMSIZ: the kernel compares interface names as
// zero-padded 16-byte strings.
const nftIfNameLen = 16

var natTable = &nftables.Table{Name: TableName, Family: nftables.TableFamilyIPv4}

func natChain(name string, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
	return &nftables.Chain{Name: name, Table: natTable, Type: nftables.ChainTypeNAT, Hooknum: hook, Priority: prio}
}

var (
	preroutingChain  = natChain(chainPrerouting, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest)
	outputChain      = natChain(chainOutput, nftables.ChainHookOutput, nftables.ChainPriorityNATDest)
	postroutingChain = natChain(chainPostrouting, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource)
)

// podComment is the comment that marks a rule as belonging to pod. Pod
// names that would not fit in an nft comment are shortened and made unique
// again with a hash of the full name.
func podComment(pod string) string {
	c := commentPodPrefix + pod
	if len(c) <= maxCommentLen {
		return c
	}
	sum := sha256.Sum256([]byte(pod))
	suffix := "~" + hex.EncodeToString(sum[:8])
	return c[:maxCommentLen-len(suffix)] + suffix
}

// PodComment is the comment of pod's rules, as NATRules shows it.
func PodComment(pod string) string { return podComment(pod) }

func natComment(s string) []byte {
	return userdata.AppendString(nil, userdata.TypeComment, s)
}

func ruleComment(r *nftables.Rule) string {
	s, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return s
}

// masqueradeRules are the fixed postrouting rules of SetupNAT.
func masqueradeRules(subnet *net.IPNet, bridge string) ([]*nftables.Rule, error) {
	src, err := prefixMatch(12, subnet, expr.CmpOpEq)
	if err != nil {
		return nil, err
	}
	dst, err := prefixMatch(16, subnet, expr.CmpOpNeq)
	if err != nil {
		return nil, err
	}
	loopback := &net.IPNet{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}
	lo, err := prefixMatch(12, loopback, expr.CmpOpEq)
	if err != nil {
		return nil, err
	}
	egress := joinExprs(src, dst, []expr.Any{&expr.Masq{}})
	// A hostPort reached at 127.0.0.1 keeps that source after DNAT; the pod
	// could not answer it, so it is rewritten to the bridge's address.
	localnet := joinExprs(lo, ifnameMatch(expr.MetaKeyOIFNAME, bridge), []expr.Any{&expr.Masq{}})
	inner, err := prefixMatch(16, subnet, expr.CmpOpEq)
	if err != nil {
		return nil, err
	}
	// A pod reaching a hostPort at the node's address may be sent back to
	// a pod (itself, even) on the subnet; without rewriting the source the
	// answer would skip the host and never be un-DNATed (portmap's hairpin).
	hairpin := joinExprs(src, inner, ctDNATMatch(), []expr.Any{&expr.Masq{}})
	return []*nftables.Rule{
		{Table: natTable, Chain: postroutingChain, Exprs: egress, UserData: natComment(commentEgress)},
		{Table: natTable, Chain: postroutingChain, Exprs: localnet, UserData: natComment(commentLocalnet)},
		{Table: natTable, Chain: postroutingChain, Exprs: hairpin, UserData: natComment(commentHairpin)},
	}, nil
}

// ctDNATMatch is `ct status dnat`: the connection was destination-NATed.
func ctDNATMatch() []expr.Any {
	mask := make([]byte, 4)
	binary.NativeEndian.PutUint32(mask, 0x20) // IPS_DST_NAT
	return []expr.Any{
		&expr.Ct{Register: regMatch, Key: expr.CtKeySTATUS},
		&expr.Bitwise{SourceRegister: regMatch, DestRegister: regMatch, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: regMatch, Data: make([]byte, 4)},
	}
}

// dnatRules builds the prerouting and output rule of one mapping.
func dnatRules(pod string, m PortMapping) ([]*nftables.Rule, error) {
	exprs, err := dnatExprs(m)
	if err != nil {
		return nil, err
	}
	ud := natComment(podComment(pod))
	return []*nftables.Rule{
		{Table: natTable, Chain: preroutingChain, Exprs: exprs, UserData: ud},
		{Table: natTable, Chain: outputChain, Exprs: exprs, UserData: ud},
	}, nil
}

func dnatExprs(m PortMapping) ([]expr.Any, error) {
	proto, err := natProtoNumber(m.Protocol)
	if err != nil {
		return nil, err
	}
	podIP := m.PodIP.To4()
	if podIP == nil {
		return nil, fmt.Errorf("pod IP %v is not IPv4", m.PodIP)
	}
	if m.HostPort == 0 || m.ContainerPort == 0 {
		return nil, fmt.Errorf("port mapping %d->%d: ports must be non-zero", m.HostPort, m.ContainerPort)
	}
	dest, err := hostMatch(m.HostIP)
	if err != nil {
		return nil, err
	}
	return joinExprs(
		[]expr.Any{
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: regMatch},
			&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: []byte{proto}},
			&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: binaryutil.BigEndian.PutUint16(m.HostPort)},
		},
		dest,
		[]expr.Any{
			&expr.Immediate{Register: regAddr, Data: podIP},
			&expr.Immediate{Register: regPort, Data: binaryutil.BigEndian.PutUint16(m.ContainerPort)},
			&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: regAddr, RegProtoMin: regPort},
		},
	), nil
}

func natProtoNumber(p string) (byte, error) {
	switch p {
	case "tcp":
		return unix.IPPROTO_TCP, nil
	case "udp":
		return unix.IPPROTO_UDP, nil
	case "sctp":
		return unix.IPPROTO_SCTP, nil
	}
	return 0, fmt.Errorf("unsupported protocol %q", p)
}

// hostMatch selects the destination a hostPort listens on: one address, or
// (unset/0.0.0.0, like kube's hostIP default) every address of the node.
// Either way the destination must be local to the node when the packet
// passes (fib decides, so node addresses added later are covered): a
// hostPort never captures traffic to another machine, whatever hostIP
// says and even after the node lost that address.
func hostMatch(hostIP net.IP) ([]expr.Any, error) {
	local := []expr.Any{
		&expr.Fib{Register: regMatch, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
	}
	if hostIP == nil || hostIP.IsUnspecified() {
		return local, nil
	}
	ip := hostIP.To4()
	if ip == nil {
		return nil, fmt.Errorf("host IP %v is not IPv4", hostIP)
	}
	return joinExprs([]expr.Any{
		&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: ip},
	}, local), nil
}

// prefixMatch compares the IPv4 address at offset (12 saddr, 16 daddr) of
// the network header against a prefix.
func prefixMatch(offset uint32, n *net.IPNet, op expr.CmpOp) ([]expr.Any, error) {
	ip := n.IP.To4()
	ones, bits := n.Mask.Size()
	if ip == nil || bits != 32 {
		return nil, fmt.Errorf("subnet %v is not IPv4", n)
	}
	mask := net.CIDRMask(ones, 32)
	return []expr.Any{
		&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Bitwise{SourceRegister: regMatch, DestRegister: regMatch, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: op, Register: regMatch, Data: ip.Mask(mask)},
	}, nil
}

// ifnameMatch is `iifname NAME` or `oifname NAME` (key MetaKeyIIFNAME or
// MetaKeyOIFNAME).
func ifnameMatch(key expr.MetaKey, name string) []expr.Any {
	padded := make([]byte, nftIfNameLen)
	copy(padded, name)
	return []expr.Any{
		&expr.Meta{Key: key, Register: regMatch},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: padded},
	}
}

func joinExprs(parts ...[]expr.Any) []expr.Any {
	var out []expr.Any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
