package network

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Services in table ip minipod, modelled on kube-proxy's nftables mode:
//
//	services-dnat-prerouting, services-dnat-output  (nat, dstnat+10)
//	    jump services
//	services
//	    ip daddr . meta l4proto . th dport vmap @service-ips
//	    fib daddr type local meta l4proto . th dport vmap @service-nodeports
//	service-HASH-ns/svc/tcp/port          one per service port with endpoints
//	    ip saddr @affinity-HASH-... goto endpoint-...   (sessionAffinity only)
//	    numgen random mod N vmap { 0 : goto endpoint-..., 1 : ... }
//	endpoint-HASH-ns/svc/tcp/port__IP/PORT
//	    update @affinity-HASH-... { ip saddr }           (sessionAffinity only)
//	    meta l4proto tcp dnat to IP:PORT
//	services-filter-{input,forward,output}  (filter, dstnat-10)
//	    ct state new jump services-no-endpoints
//	services-no-endpoints
//	    ip daddr . meta l4proto . th dport vmap @no-endpoint-services
//	    fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports
//	services-reject
//	    meta l4proto tcp reject with tcp reset
//	    reject
//
// Nothing here masquerades: nat.go's postrouting rules already cover every
// case a single node needs (see SyncServices).

// Chains, maps and set prefixes SyncServices owns. Every name is distinct
// from the chains of nat.go and filter_rules.go; svcOwnsChain and
// svcOwnsSet are the only judges of what SyncServices may delete.
const (
	chainSvcDNATPrerouting = "services-dnat-prerouting"
	chainSvcDNATOutput     = "services-dnat-output"
	chainSvcFilterInput    = "services-filter-input"
	chainSvcFilterForward  = "services-filter-forward"
	chainSvcFilterOutput   = "services-filter-output"
	chainServices          = "services"
	chainSvcNoEndpoints    = "services-no-endpoints"
	chainSvcReject         = "services-reject"

	mapServiceIPs          = "service-ips"
	mapServiceNodePorts    = "service-nodeports"
	mapNoEndpointServices  = "no-endpoint-services"
	mapNoEndpointNodePorts = "no-endpoint-nodeports"

	prefixServiceChain  = "service-"
	prefixEndpointChain = "endpoint-"
	prefixAffinitySet   = "affinity-"
)

// Rule comments of the fixed service rules; the per-service rules carry
// svcComment(name).
const (
	commentServices          = "minipod:services"
	commentServiceIPs        = "minipod:service-ips"
	commentServiceNodePorts  = "minipod:service-nodeports"
	commentEndpointsCheck    = "minipod:service-endpoints-check"
	commentNoEndpointSvcs    = "minipod:no-endpoint-services"
	commentNoEndpointNodes   = "minipod:no-endpoint-nodeports"
	commentNoEndpointsReject = "minipod:no-endpoints-reject"
	commentServicePrefix     = "minipod:service="
)

// svcRulesVersion goes into every content hash: a minipod that writes the
// per-service chains differently gets new names, so an upgrade replaces
// the old chains instead of trusting them.
const svcRulesVersion = "1"

// ctStateNew is ct state new (see ctStateEstablished).
const ctStateNew = 1 << 3

// svcNameMax bounds the readable part of a chain or set name: with the
// longest prefix, hash and endpoint suffix the name stays far below the
// kernel's 255 bytes (NFT_CHAIN_MAXNAMELEN, NFT_SET_MAXNAMELEN less NUL).
const svcNameMax = 180

// Priorities. The NAT chains run after the hostPort chains (dstnat), so a
// pod's explicit hostPort wins over a NodePort on the same port; the
// filter chains run before any DNAT, as kube-proxy's do, so they see the
// service address a packet was sent to.
var (
	svcDNATPriority   = nftables.ChainPriorityRef(*nftables.ChainPriorityNATDest + 10)
	svcFilterPriority = nftables.ChainPriorityRef(*nftables.ChainPriorityNATDest - 10)
)

var (
	svcDNATPreroutingChain = natChain(chainSvcDNATPrerouting, nftables.ChainHookPrerouting, svcDNATPriority)
	svcDNATOutputChain     = natChain(chainSvcDNATOutput, nftables.ChainHookOutput, svcDNATPriority)
	svcFilterInputChain    = svcFilterChain(chainSvcFilterInput, nftables.ChainHookInput)
	svcFilterForwardChain  = svcFilterChain(chainSvcFilterForward, nftables.ChainHookForward)
	svcFilterOutputChain   = svcFilterChain(chainSvcFilterOutput, nftables.ChainHookOutput)
	servicesChain          = &nftables.Chain{Name: chainServices, Table: natTable}
	svcNoEndpointsChain    = &nftables.Chain{Name: chainSvcNoEndpoints, Table: natTable}
	svcRejectChain         = &nftables.Chain{Name: chainSvcReject, Table: natTable}
	svcFixedChainsInOrder  = []*nftables.Chain{svcRejectChain, servicesChain, svcNoEndpointsChain, svcDNATPreroutingChain, svcDNATOutputChain, svcFilterInputChain, svcFilterForwardChain, svcFilterOutputChain}
	svcIPPortKeyType       = nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetProto, nftables.TypeInetService)
	svcProtoPortKeyType    = nftables.MustConcatSetType(nftables.TypeInetProto, nftables.TypeInetService)
	svcMapNames            = []string{mapServiceIPs, mapServiceNodePorts, mapNoEndpointServices, mapNoEndpointNodePorts}
)

func svcFilterChain(name string, hook *nftables.ChainHook) *nftables.Chain {
	return &nftables.Chain{Name: name, Table: natTable, Type: nftables.ChainTypeFilter, Hooknum: hook, Priority: svcFilterPriority}
}

// svcOwnsChain reports whether a chain of the table is SyncServices'.
func svcOwnsChain(name string) bool {
	if slices.ContainsFunc(svcFixedChainsInOrder, func(ch *nftables.Chain) bool { return ch.Name == name }) {
		return true
	}
	return strings.HasPrefix(name, prefixServiceChain) || strings.HasPrefix(name, prefixEndpointChain)
}

// svcOwnsSet reports whether a named set or map of the table is
// SyncServices': the four maps and the affinity sets. Anonymous sets
// (__set%d, __map%d) belong to their rule.
func svcOwnsSet(name string) bool {
	return slices.Contains(svcMapNames, name) || strings.HasPrefix(name, prefixAffinitySet)
}

// svcChain is one chain with its rules and, for a service chain, the
// anonymous map its numgen rule reads.
type svcChain struct {
	chain *nftables.Chain
	rules []*nftables.Rule
	lb    *svcLBMap
}

// svcLBMap is the anonymous verdict map of a service chain's random
// choice, { 0 : goto endpoint-0, 1 : goto endpoint-1, ... }; it lives and
// dies with its rule.
type svcLBMap struct {
	set   *nftables.Set
	elems []nftables.SetElement
	text  string // as nft prints it inline
}

// svcElem is one element of a named verdict map: key → goto chain.
type svcElem struct {
	key     []byte
	chain   string
	comment string
}

// svcDesired is everything SyncServices wants in the table. Dynamic chains
// and affinity sets are named after their content (svcHash), so a name
// that exists already holds what is wanted: only the fixed chains' rules
// and the maps' elements need to be compared with the kernel.
type svcDesired struct {
	fixed     []*svcChain // in creation order (a chain before those that jump to it)
	endpoints []*svcChain
	services  []*svcChain
	affinity  []*nftables.Set
	maps      []*nftables.Set
	elems     map[string][]svcElem // by map name
	nextID    uint32
}

// setID numbers the sets of one batch: a rule finds an anonymous set of
// its own batch by this ID (the kernel renames it), so IDs must not repeat
// within the batch. They are assigned here rather than by the library so
// that rules can be rendered before anything is sent.
func (d *svcDesired) setID() uint32 {
	d.nextID++
	return d.nextID
}

// buildServices turns ports into the wanted objects; no ports, no objects.
func buildServices(ports []ServicePort) (*svcDesired, error) {
	d := &svcDesired{elems: map[string][]svcElem{}}
	if len(ports) == 0 {
		return d, nil
	}
	d.maps = []*nftables.Set{
		svcMap(mapServiceIPs, svcIPPortKeyType, d.setID(), "minipod: service IP . protocol . port -> service chain"),
		svcMap(mapServiceNodePorts, svcProtoPortKeyType, d.setID(), "minipod: protocol . NodePort -> service chain"),
		svcMap(mapNoEndpointServices, svcIPPortKeyType, d.setID(), "minipod: services without ready endpoints"),
		svcMap(mapNoEndpointNodePorts, svcProtoPortKeyType, d.setID(), "minipod: NodePorts without ready endpoints"),
	}
	d.fixed = svcFixedChains()

	sorted := append([]ServicePort(nil), ports...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	seenIP, seenNode, seenName := map[string]string{}, map[string]string{}, map[string]bool{}
	for _, sp := range sorted {
		if err := d.addPort(sp, seenIP, seenNode, seenName); err != nil {
			return nil, fmt.Errorf("service port %s: %w", sp.Name, err)
		}
	}
	return d, nil
}

// addPort adds one service port to d. seenName holds the chains and sets
// already in d: two ports may share them (same name, protocol and
// endpoints, or the same endpoint), and each is created once.
func (d *svcDesired) addPort(sp ServicePort, seenIP, seenNode map[string]string, seenName map[string]bool) error {
	proto, err := svcProto(sp.Protocol)
	if err != nil {
		return err
	}
	cip := sp.ClusterIP.To4()
	if cip == nil {
		return fmt.Errorf("cluster IP %v is not IPv4", sp.ClusterIP)
	}
	if sp.Port == 0 {
		return fmt.Errorf("port must be non-zero")
	}
	if sp.Affinity < 0 {
		return fmt.Errorf("negative affinity timeout %v", sp.Affinity)
	}
	eps, err := svcEndpoints(sp.Endpoints)
	if err != nil {
		return err
	}
	ipKey := svcIPPortKey(cip, proto, sp.Port)
	if other, dup := seenIP[string(ipKey)]; dup {
		return fmt.Errorf("%s %s:%d is also service port %s", sp.Protocol, cip, sp.Port, other)
	}
	seenIP[string(ipKey)] = sp.Name
	var nodeKey []byte
	if sp.NodePort != 0 {
		nodeKey = svcProtoPortKey(proto, sp.NodePort)
		if other, dup := seenNode[string(nodeKey)]; dup {
			return fmt.Errorf("%s NodePort %d is also service port %s", sp.Protocol, sp.NodePort, other)
		}
		seenNode[string(nodeKey)] = sp.Name
	}
	comment := svcComment(sp.Name, maxCommentLen)
	if len(eps) == 0 {
		// kube-proxy's behaviour: refuse at once rather than let the
		// client time out against an address nothing answers.
		d.elems[mapNoEndpointServices] = append(d.elems[mapNoEndpointServices], svcElem{ipKey, chainSvcReject, comment})
		if nodeKey != nil {
			d.elems[mapNoEndpointNodePorts] = append(d.elems[mapNoEndpointNodePorts], svcElem{nodeKey, chainSvcReject, comment})
		}
		return nil
	}
	svc, endpoints, affinity := d.serviceChain(sp, proto, eps)
	for _, ch := range endpoints {
		if !seenName[ch.chain.Name] {
			seenName[ch.chain.Name] = true
			d.endpoints = append(d.endpoints, ch)
		}
	}
	for _, s := range affinity {
		if !seenName["set "+s.Name] {
			seenName["set "+s.Name] = true
			d.affinity = append(d.affinity, s)
		}
	}
	if !seenName[svc.chain.Name] {
		seenName[svc.chain.Name] = true
		d.services = append(d.services, svc)
	}
	d.elems[mapServiceIPs] = append(d.elems[mapServiceIPs], svcElem{ipKey, svc.chain.Name, comment})
	if nodeKey != nil {
		d.elems[mapServiceNodePorts] = append(d.elems[mapServiceNodePorts], svcElem{nodeKey, svc.chain.Name, comment})
	}
	return nil
}

// serviceChain builds the chain of one service port, its endpoint chains
// and its affinity sets.
func (d *svcDesired) serviceChain(sp ServicePort, proto byte, eps []Endpoint) (*svcChain, []*svcChain, []*nftables.Set) {
	readable := svcReadable(sp)
	comment := svcComment(sp.Name, maxCommentLen)
	affinity := svcAffinityTimeout(sp.Affinity)
	var epNames, affNames []string
	var sticky []*nftables.Rule
	var endpoints []*svcChain
	var sets []*nftables.Set
	for _, ep := range eps {
		epID := readable + "__" + ep.IP.String() + "/" + strconv.Itoa(int(ep.Port))
		var aff *nftables.Set
		if affinity != 0 {
			name := prefixAffinitySet + svcHash("affinity", sp.Name, sp.Protocol, ep.IP.String(), strconv.Itoa(int(ep.Port)), affinity.String()) + "-" + epID
			aff = &nftables.Set{
				Table: natTable, Name: name, ID: d.setID(), KeyType: nftables.TypeIPAddr,
				HasTimeout: true, Timeout: affinity, Dynamic: true,
				Comment: svcComment(sp.Name+" endpoint "+ep.IP.String()+":"+strconv.Itoa(int(ep.Port)), maxCommentLen),
			}
			sets = append(sets, aff)
			affNames = append(affNames, name)
		}
		name := prefixEndpointChain + svcHash("endpoint", sp.Name, sp.Protocol, ep.IP.String(), strconv.Itoa(int(ep.Port)), setName(aff)) + "-" + epID
		ch := &svcChain{chain: &nftables.Chain{Name: name, Table: natTable}}
		if aff != nil {
			// Every packet of the client refreshes its entry, so the
			// timeout counts from its last packet, as kube-proxy's does.
			ch.rules = append(ch.rules, svcRule(ch.chain, comment, []expr.Any{
				&expr.Payload{DestRegister: regAddr, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
				&expr.Dynset{SrcRegKey: regAddr, SetName: aff.Name, SetID: aff.ID, Operation: unix.NFT_DYNSET_OP_UPDATE},
			}))
			sticky = append(sticky, svcRule(nil, comment, []expr.Any{
				&expr.Payload{DestRegister: regAddr, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
				&expr.Lookup{SourceRegister: regAddr, SetName: aff.Name, SetID: aff.ID},
				&expr.Verdict{Kind: expr.VerdictGoto, Chain: name},
			}))
		}
		ch.rules = append(ch.rules, svcRule(ch.chain, comment, svcDNATExprs(proto, ep)))
		endpoints = append(endpoints, ch)
		epNames = append(epNames, name)
	}
	name := prefixServiceChain + svcHash(append([]string{"service", sp.Name, sp.Protocol}, append(epNames, affNames...)...)...) + "-" + readable
	svc := &svcChain{chain: &nftables.Chain{Name: name, Table: natTable}}
	for _, r := range sticky {
		r.Chain = svc.chain
		svc.rules = append(svc.rules, r)
	}
	svc.lb = d.lbMap(epNames)
	svc.rules = append(svc.rules, svcRule(svc.chain, comment, []expr.Any{
		&expr.Numgen{Register: regAddr, Modulus: uint32(len(epNames)), Type: unix.NFT_NG_RANDOM},
		&expr.Byteorder{SourceRegister: regAddr, DestRegister: regAddr, Op: expr.ByteorderHton, Len: 4, Size: 4},
		&expr.Lookup{SourceRegister: regAddr, DestRegister: unix.NFT_REG_VERDICT, IsDestRegSet: true, SetName: svc.lb.set.Name, SetID: svc.lb.set.ID},
	}))
	return svc, endpoints, sets
}

// lbMap is the anonymous map of the random choice. numgen yields a
// host-order number, which the rule turns to network order before the
// lookup: the library marks every anonymous set's keys big endian, and nft
// lists (and would replay) the keys in that order, so host-order keys
// would read 0, 16777216, ... The kernel compares bytes either way.
func (d *svcDesired) lbMap(targets []string) *svcLBMap {
	set := &nftables.Set{
		Table: natTable, Name: "__map%d", ID: d.setID(), Anonymous: true, Constant: true, IsMap: true,
		KeyType: nftables.TypeInteger, DataType: nftables.TypeVerdict,
	}
	m := &svcLBMap{set: set}
	var text []string
	for i, t := range targets {
		m.elems = append(m.elems, nftables.SetElement{
			Key:         binaryutil.BigEndian.PutUint32(uint32(i)),
			VerdictData: &expr.Verdict{Kind: expr.VerdictGoto, Chain: t},
		})
		text = append(text, fmt.Sprintf("%d : goto %s", i, t))
	}
	m.text = "{ " + strings.Join(text, ", ") + " }"
	return m
}

func setName(s *nftables.Set) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// svcFixedChains are the chains every non-empty service table has.
func svcFixedChains() []*svcChain {
	fixed := func(ch *nftables.Chain, rules ...*nftables.Rule) *svcChain {
		for _, r := range rules {
			r.Chain = ch
		}
		return &svcChain{chain: ch, rules: rules}
	}
	jump := func(target string) []expr.Any {
		return []expr.Any{&expr.Verdict{Kind: expr.VerdictJump, Chain: target}}
	}
	// Only a connection's first packet is checked: once DNATed or refused
	// there is nothing more to decide, and an established connection to a
	// service that just lost its endpoints is left to end by itself.
	checkNew := joinExprs(ctStateMatch(ctStateNew), jump(chainSvcNoEndpoints))
	ipVmap := func(m string) []expr.Any {
		return []expr.Any{
			&expr.Payload{DestRegister: regAddr, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: unix.NFT_REG32_01},
			&expr.Payload{DestRegister: unix.NFT_REG32_02, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Lookup{SourceRegister: regAddr, DestRegister: unix.NFT_REG_VERDICT, IsDestRegSet: true, SetName: m},
		}
	}
	// A NodePort is any local address of the node, 127.0.0.1 included
	// (route_localnet on the bridge and the localnet masquerade of nat.go
	// make the answer find its way back), and only those: fib decides
	// when the packet passes, so addresses added later count too.
	nodeVmap := func(m string) []expr.Any {
		local, _ := hostMatch(nil)
		return joinExprs(local, []expr.Any{
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: regAddr},
			&expr.Payload{DestRegister: unix.NFT_REG32_01, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Lookup{SourceRegister: regAddr, DestRegister: unix.NFT_REG_VERDICT, IsDestRegSet: true, SetName: m},
		})
	}
	return []*svcChain{
		// A TCP client gets a reset, a UDP client an ICMP port unreachable:
		// both make the client's call fail with ECONNREFUSED at once. TCP
		// gets the reset although ICMP would do as well because ICMP errors
		// are rate limited per destination (icmp_ratelimit, with the ICMP
		// redirects a forwarding node sends counted in), so a client
		// retrying quickly would wait for timeouts.
		fixed(svcRejectChain,
			svcRule(nil, commentNoEndpointsReject, joinExprs(svcProtoMatch(unix.IPPROTO_TCP), []expr.Any{&expr.Reject{Type: unix.NFT_REJECT_TCP_RST}})),
			svcRule(nil, commentNoEndpointsReject, []expr.Any{&expr.Reject{Type: unix.NFT_REJECT_ICMP_UNREACH, Code: icmpPortUnreachable}})),
		fixed(servicesChain,
			svcRule(nil, commentServiceIPs, ipVmap(mapServiceIPs)),
			svcRule(nil, commentServiceNodePorts, nodeVmap(mapServiceNodePorts))),
		fixed(svcNoEndpointsChain,
			svcRule(nil, commentNoEndpointSvcs, ipVmap(mapNoEndpointServices)),
			svcRule(nil, commentNoEndpointNodes, nodeVmap(mapNoEndpointNodePorts))),
		fixed(svcDNATPreroutingChain, svcRule(nil, commentServices, jump(chainServices))),
		fixed(svcDNATOutputChain, svcRule(nil, commentServices, jump(chainServices))),
		// Input: NodePorts (also the node's own connections to them, which
		// pass output and then input). Forward: service IPs from pods and
		// from other machines. Output: service IPs from the node.
		fixed(svcFilterInputChain, svcRule(nil, commentEndpointsCheck, checkNew)),
		fixed(svcFilterForwardChain, svcRule(nil, commentEndpointsCheck, checkNew)),
		fixed(svcFilterOutputChain, svcRule(nil, commentEndpointsCheck, checkNew)),
	}
}

func svcRule(ch *nftables.Chain, comment string, exprs []expr.Any) *nftables.Rule {
	return &nftables.Rule{Table: natTable, Chain: ch, Exprs: exprs, UserData: natComment(comment)}
}

func svcMap(name string, key nftables.SetDatatype, id uint32, comment string) *nftables.Set {
	return &nftables.Set{
		Table: natTable, Name: name, ID: id, IsMap: true, Concatenation: true,
		KeyType: key, DataType: nftables.TypeVerdict, Comment: comment,
	}
}

func svcProtoMatch(proto byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: regMatch},
		&expr.Cmp{Op: expr.CmpOpEq, Register: regMatch, Data: []byte{proto}},
	}
}

// svcDNATExprs sends the connection to one endpoint. The protocol match is
// what lets nft print (and read back) the port of the dnat.
func svcDNATExprs(proto byte, ep Endpoint) []expr.Any {
	return joinExprs(svcProtoMatch(proto), []expr.Any{
		&expr.Immediate{Register: regAddr, Data: ep.IP.To4()},
		&expr.Immediate{Register: regPort, Data: binaryutil.BigEndian.PutUint16(ep.Port)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: regAddr, RegProtoMin: regPort},
	})
}

func svcProto(p string) (byte, error) {
	if p != "tcp" && p != "udp" && p != "sctp" {
		return 0, fmt.Errorf("unsupported protocol %q", p)
	}
	return natProtoNumber(p)
}

// svcEndpoints validates, deduplicates and sorts the endpoints, so that
// the same set given in another order makes the same chains.
func svcEndpoints(in []Endpoint) ([]Endpoint, error) {
	seen := map[string]bool{}
	var out []Endpoint
	for _, ep := range in {
		ip := ep.IP.To4()
		if ip == nil {
			return nil, fmt.Errorf("endpoint IP %v is not IPv4", ep.IP)
		}
		if ep.Port == 0 {
			return nil, fmt.Errorf("endpoint %s: port must be non-zero", ip)
		}
		k := ip.String() + ":" + strconv.Itoa(int(ep.Port))
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Endpoint{IP: ip, Port: ep.Port})
	}
	sort.Slice(out, func(i, j int) bool {
		if c := bytes.Compare(out[i].IP, out[j].IP); c != 0 {
			return c < 0
		}
		return out[i].Port < out[j].Port
	})
	return out, nil
}

// svcAffinityTimeout is the affinity set's timeout: whole milliseconds
// (what the kernel keeps), at least one.
func svcAffinityTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return max(d.Truncate(time.Millisecond), time.Millisecond)
}

// svcIPPortKey is the key of service-ips: each field of a concatenation
// takes whole 4-byte registers, zero-padded.
func svcIPPortKey(ip net.IP, proto byte, port uint16) []byte {
	k := make([]byte, 12)
	copy(k, ip.To4())
	k[4] = proto
	binary.BigEndian.PutUint16(k[8:], port)
	return k
}

func svcProtoPortKey(proto byte, port uint16) []byte {
	k := make([]byte, 8)
	k[0] = proto
	binary.BigEndian.PutUint16(k[4:], port)
	return k
}

// svcHash is 8 base32 characters (40 bits) of SHA-256 over the parts. In a
// chain name it follows the chain's content, so that "the chain exists"
// means "the chain holds these rules".
func svcHash(parts ...string) string {
	h := sha256.New()
	h.Write([]byte(svcRulesVersion))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return base32.StdEncoding.EncodeToString(h.Sum(nil))[:8]
}

// svcReadable is the human part of a chain name, kube-proxy style:
// namespace/service/protocol/portname (the port number when unnamed),
// reduced to the characters nft accepts in a bare name so that the listed
// table can be replayed, and bounded.
func svcReadable(sp ServicePort) string {
	base, port := sp.Name, ""
	if i := strings.LastIndexByte(sp.Name, ':'); i >= 0 {
		base, port = sp.Name[:i], sp.Name[i+1:]
	}
	if port == "" {
		port = strconv.Itoa(int(sp.Port))
	}
	b := []byte(base + "/" + sp.Protocol + "/" + port)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '.' || c == '-'
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > svcNameMax {
		b = b[:svcNameMax]
	}
	return string(b)
}

// svcComment is the comment of a service's rules, shortened like
// podComment when the name is too long.
func svcComment(name string, limit int) string {
	c := commentServicePrefix + name
	if len(c) <= limit {
		return c
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "~" + base32.StdEncoding.EncodeToString(sum[:])[:8]
	return c[:limit-len(suffix)] + suffix
}

// lines renders d the way NATRules prints rules (`chain: rule`), plus one
// line per map element and affinity set, in creation order: for tests and
// for reading.
func (d *svcDesired) lines() []string {
	var out []string
	for _, m := range d.maps {
		for _, e := range d.elems[m.Name] {
			out = append(out, fmt.Sprintf("map %s: %s : goto %s", m.Name, svcKeyText(e.key), e.chain))
		}
	}
	for _, s := range d.affinity {
		out = append(out, fmt.Sprintf("set %s: timeout %v", s.Name, s.Timeout))
	}
	for _, group := range [][]*svcChain{d.fixed, d.endpoints, d.services} {
		for _, ch := range group {
			anon := map[uint32]string{}
			if ch.lb != nil {
				anon[ch.lb.set.ID] = ch.lb.text
			}
			for _, r := range ch.rules {
				out = append(out, ch.chain.Name+": "+renderRuleWith(r, anon))
			}
		}
	}
	return out
}

// svcKeyText prints a map key as nft does (10.96.0.10 . tcp . 80).
func svcKeyText(k []byte) string {
	switch len(k) {
	case 12:
		return fmt.Sprintf("%s . %s . %d", net.IP(k[:4]), natProtoName(k[4]), binary.BigEndian.Uint16(k[8:]))
	case 8:
		return fmt.Sprintf("%s . %d", natProtoName(k[0]), binary.BigEndian.Uint16(k[4:]))
	}
	return fmt.Sprintf("0x%x", k)
}
