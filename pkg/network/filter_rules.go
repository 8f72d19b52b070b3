package network

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// The filter chains of table ip minipod guard what the NAT chains open up.
// They hold fixed rules only (no per-pod rule), written by SetupNAT
// together with the masquerade rules, and they only ever drop traffic
// that involves the bridge: nothing else of the host is filtered.
const (
	chainInput   = "input"
	chainForward = "forward"
)

const (
	commentLoopbackHostPort = "minipod:loopback-hostport"
	commentLoopbackGuard    = "minipod:loopback-guard"
	commentForwardReplies   = "minipod:forward-replies"
	commentForwardHostPort  = "minipod:forward-hostport"
	commentForwardPods      = "minipod:forward-pods"
	commentForwardGuard     = "minipod:forward-guard"
	commentAPIServerReject  = "minipod:no-api-server"
)

// Bits of ct state, as nft numbers them (1 << (ctinfo + 1)).
const (
	ctStateEstablished = 1 << 1
	ctStateRelated     = 1 << 2
)

func filterChain(name string, hook *nftables.ChainHook) *nftables.Chain {
	return &nftables.Chain{Name: name, Table: natTable, Type: nftables.ChainTypeFilter, Hooknum: hook, Priority: nftables.ChainPriorityFilter}
}

var (
	inputChain   = filterChain(chainInput, nftables.ChainHookInput)
	forwardChain = filterChain(chainForward, nftables.ChainHookForward)
)

// guardRules are the fixed rules of the input and forward chains.
//
// Input: route_localnet on the bridge (needed for hostPorts at 127.0.0.1)
// also lets a pod that writes its own frames reach services bound to the
// host's loopback (CVE-2020-8558). As kube-proxy does, a packet from the
// bridge to 127.0.0.0/8 is dropped unless its connection was DNATed: the
// answers to the host's own connections to 127.0.0.1:hostPort.
//
// Forward: with ip_forward on, a machine on the node's LAN could route to
// pod addresses. As docker's filter does, only these are forwarded into
// the bridge: replies to connections from the pods or the node, hostPort
// connections (DNATed), and pod to pod on the bridge.
//
// Also in forward: what pods send to Service default/kubernetes's address
// (api; every pod has it in KUBERNETES_SERVICE_HOST) is refused (a TCP
// reset, else ICMP port unreachable), as kube-proxy refuses a Service
// without endpoints: no API server runs on one node, and without the
// rule the packets would leave by the node's default route, so that an
// in-cluster client hung until its timeout instead of failing at once.
func guardRules(bridge string, api net.IP) ([]*nftables.Rule, error) {
	loopback := &net.IPNet{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}
	toLoopback, err := prefixMatch(16, loopback, expr.CmpOpEq)
	if err != nil {
		return nil, err
	}
	if api.To4() == nil {
		return nil, fmt.Errorf("the API server's Service address %v is not IPv4", api)
	}
	toAPI := []expr.Any{
		&expr.Payload{DestRegister: regMatch, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: api.To4()},
	}
	fromBridge, toBridge := ifnameMatch(expr.MetaKeyIIFNAME, bridge), ifnameMatch(expr.MetaKeyOIFNAME, bridge)
	rule := func(ch *nftables.Chain, comment string, parts ...[]expr.Any) *nftables.Rule {
		return &nftables.Rule{Table: natTable, Chain: ch, Exprs: joinExprs(parts...), UserData: natComment(comment)}
	}
	return []*nftables.Rule{
		rule(inputChain, commentLoopbackHostPort, fromBridge, toLoopback, ctDNATMatch(), verdict(expr.VerdictAccept)),
		rule(inputChain, commentLoopbackGuard, fromBridge, toLoopback, verdict(expr.VerdictDrop)),
		rule(forwardChain, commentForwardReplies, toBridge, ctStateMatch(ctStateEstablished|ctStateRelated), verdict(expr.VerdictAccept)),
		rule(forwardChain, commentForwardHostPort, toBridge, ctDNATMatch(), verdict(expr.VerdictAccept)),
		rule(forwardChain, commentForwardPods, fromBridge, toBridge, verdict(expr.VerdictAccept)),
		rule(forwardChain, commentForwardGuard, toBridge, verdict(expr.VerdictDrop)),
		rule(forwardChain, commentAPIServerReject, fromBridge, toAPI, svcProtoMatch(unix.IPPROTO_TCP), []expr.Any{&expr.Reject{Type: unix.NFT_REJECT_TCP_RST}}),
		rule(forwardChain, commentAPIServerReject, fromBridge, toAPI, []expr.Any{&expr.Reject{Type: unix.NFT_REJECT_ICMP_UNREACH, Code: icmpPortUnreachable}}),
	}, nil
}

// ctStateMatch is `ct state` with any of the given bits.
func ctStateMatch(bits uint32) []expr.Any {
	mask := make([]byte, 4)
	binary.NativeEndian.PutUint32(mask, bits)
	return []expr.Any{
		&expr.Ct{Register: regMatch, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: regMatch, DestRegister: regMatch, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: regMatch, Data: make([]byte, 4)},
	}
}

func verdict(k expr.VerdictKind) []expr.Any {
	return []expr.Any{&expr.Verdict{Kind: k}}
}
