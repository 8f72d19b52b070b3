package network

import (
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// ServicePort is one port of one Service as the node implements it.
type ServicePort struct {
	Name      string        // "namespace/service:portname" (portname may be ""); for chain names (hashed) and comments
	ClusterIP net.IP        // the virtual IP (IPv4); never nil here (headless services are not passed)
	Port      uint16        // the service port
	NodePort  uint16        // 0: none
	Protocol  string        // "tcp" or "udp"
	Affinity  time.Duration // sessionAffinity ClientIP timeout; 0: none
	Local     bool          // externalTrafficPolicy: Local (NodePort traffic from outside keeps its source: no masquerade for it; on one node every endpoint is local)
	Endpoints []Endpoint    // ready endpoints; empty: the service rejects (kube-proxy's behaviour)
}

// Endpoint is one ready backend: a pod IP and the target port.
type Endpoint struct {
	IP   net.IP
	Port uint16
}

// SyncServices makes the service rules of table ip minipod say exactly
// ports: one atomic netlink batch, whatever was there before (stale chains
// of services gone are removed), touching nothing outside the service
// chains/maps/sets it owns (the hostPort rules and fixed rules of nat.go
// stay). With ports empty it removes every service chain, map and set, so
// that no rule is left after the last service. Calling it twice with the
// same input is cheap: the kernel's state is read (a handful of netlink
// dumps, whatever the number of services) and no batch is sent when it
// already says what is wanted.
//
// Only what changed is written: per-service and per-endpoint chains are
// named after their content, so a new endpoint adds its chain and a new
// service chain, swaps the service's map elements to it and deletes the
// old chain, all in the one batch; the other services' chains, and the
// affinity sets with their clients, are not touched.
//
// Nothing is masqueraded here; nat.go's postrouting rules already do what
// one node needs. A pod reaching a service that sends it to a pod (itself
// or another) on the bridge is masqueraded by the hairpin rule (pod subnet
// to pod subnet, DNATed): without br_netfilter the answer would otherwise
// be bridged straight back to the client, skipping the un-DNAT. A
// connection from 127.0.0.1 (a NodePort at 127.0.0.1) is masqueraded by
// the localnet rule. Anything else (the node at one of its addresses, or
// another machine, reaching a ClusterIP or NodePort) keeps its source:
// the pod answers through its default route, the bridge, so the answer
// passes the node and is un-DNATed whatever the source. kube-proxy
// masquerades external traffic of externalTrafficPolicy Cluster only
// because the endpoint may be on another node; here it never is, so
// Cluster behaves as Local does, and Local needs nothing of its own.
//
// subnet and bridge are those of SetupNAT, which is called first when the
// table lacks its chains (services rely on its masquerade rules).
func SyncServices(ports []ServicePort, subnet *net.IPNet, bridge string) error {
	_, err := syncServices(ports, subnet, bridge)
	return err
}

// syncServices is SyncServices, also saying whether it sent a batch.
func syncServices(ports []ServicePort, subnet *net.IPNet, bridge string) (bool, error) {
	want, err := buildServices(ports)
	if err != nil {
		return false, fmt.Errorf("sync services: %w", err)
	}
	// One socket for the reads and the batch instead of one per dump.
	c, err := nftables.New(nftables.AsLasting(), nftables.WithSockOptions(svcAckRoom))
	if err != nil {
		return false, fmt.Errorf("sync services: %w", err)
	}
	// Closing a netfilter socket waits until the kernel has freed what the
	// last commit replaced, an RCU grace period away (2 to 20 ms measured
	// here, more than all the rest). The rules are in force once Flush
	// returns, so the caller does not wait for it.
	defer func() { go c.CloseLasting() }()
	have, err := observeServices(c)
	if err != nil {
		return false, fmt.Errorf("sync services: %w", err)
	}
	if len(ports) > 0 && !have.natReady {
		if err := SetupNAT(subnet, bridge); err != nil {
			return false, err
		}
	}
	plan := want.diff(have)
	if plan.empty() {
		return false, nil
	}
	if err := plan.queue(c); err != nil {
		return false, fmt.Errorf("sync services: %w", err)
	}
	if err := c.Flush(); err != nil {
		return false, fmt.Errorf("sync services in table ip %s: %w", TableName, err)
	}
	return true, nil
}

// svcAckBuffer is the receive buffer of SyncServices' socket. The library
// asks an ack for every message of a batch and reads them only once the
// kernel has processed the whole batch; a first sync of a few dozen
// services is hundreds of messages, whose acks overflow the default buffer
// (ENOBUFS, and the batch's outcome is lost). Acks without the echoed
// request take well under 1 KiB of buffer each, so this is room for some
// ten thousand messages; it is memory only while acks wait.
const svcAckBuffer = 8 << 20

// svcSendBuffer bounds one batch: the kernel takes a netlink batch in a
// single message no larger than the socket's send buffer (EMSGSIZE
// otherwise), and a Service with a few hundred ports, or a first sync of
// many Services, is more than the default 208 KiB. 64 MiB is some
// hundred thousand rules; it is memory only while a batch is sent.
const svcSendBuffer = 64 << 20

// svcAckRoom makes a large batch and its acks fit: acks without the
// request copied back (NETLINK_CAP_ACK), and receive and send buffers
// beyond rmem_max and wmem_max (SO_RCVBUFFORCE, SO_SNDBUFFORCE, as root;
// without CAP_NET_ADMIN, as much as the maxima allow).
func svcAckRoom(c *netlink.Conn) error {
	if err := c.SetOption(netlink.CapAcknowledge, true); err != nil {
		return fmt.Errorf("set NETLINK_CAP_ACK: %w", err)
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var rerr, serr error
	if err := raw.Control(func(fd uintptr) {
		rerr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, svcAckBuffer)
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, svcSendBuffer)
	}); err != nil {
		return err
	}
	if rerr != nil {
		if err := c.SetReadBuffer(svcAckBuffer); err != nil {
			return err
		}
	}
	if serr != nil {
		return c.SetWriteBuffer(svcSendBuffer)
	}
	return nil
}

// svcObserved is what the kernel holds of the objects SyncServices owns.
type svcObserved struct {
	natReady bool                         // nat.go's chains all exist
	chains   map[string]bool              // owned chains
	sets     map[string]bool              // owned named sets and maps
	elems    map[string]map[string]string // map → key → verdict ("goto chain")
	rules    map[string][]string          // fixed chain → its rules, rendered
}

func newSvcObserved() *svcObserved {
	return &svcObserved{chains: map[string]bool{}, sets: map[string]bool{}, elems: map[string]map[string]string{}, rules: map[string][]string{}}
}

// observeServices reads the owned objects. The dynamic chains' rules are
// not read: their names say what they hold. Only the fixed chains' rules
// and the four maps' elements are, so the cost does not grow with the
// number of services beyond the size of the maps.
func observeServices(c *nftables.Conn) (*svcObserved, error) {
	o := newSvcObserved()
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, fmt.Errorf("list chains: %w", err)
	}
	table, natChains := false, map[string]bool{}
	for _, ch := range chains {
		if ch.Table == nil || ch.Table.Name != TableName {
			continue
		}
		table = true
		natChains[ch.Name] = true
		if svcOwnsChain(ch.Name) {
			o.chains[ch.Name] = true
		}
	}
	o.natReady = true
	for _, ch := range allChains {
		o.natReady = o.natReady && natChains[ch.Name]
	}
	if !table {
		return o, nil
	}
	sets, err := c.GetSets(natTable)
	if err != nil {
		return nil, fmt.Errorf("list sets: %w", err)
	}
	for _, s := range sets {
		if svcOwnsSet(s.Name) {
			o.sets[s.Name] = true
		}
	}
	for _, m := range svcMapNames {
		if !o.sets[m] {
			continue
		}
		elems, err := c.GetSetElements(&nftables.Set{Table: natTable, Name: m})
		if err != nil {
			return nil, fmt.Errorf("list elements of map %s: %w", m, err)
		}
		o.elems[m] = map[string]string{}
		for _, e := range elems {
			o.elems[m][string(e.Key)] = svcVerdictData(e.Val)
		}
	}
	for _, ch := range svcFixedChainsInOrder {
		if !o.chains[ch.Name] {
			continue
		}
		rs, err := c.GetRules(natTable, ch)
		if err != nil {
			return nil, fmt.Errorf("list rules of chain %s: %w", ch.Name, err)
		}
		o.rules[ch.Name] = []string{}
		for _, r := range rs {
			o.rules[ch.Name] = append(o.rules[ch.Name], renderRule(r))
		}
	}
	return o, nil
}

// svcVerdictData decodes a verdict map element's data as read back (the
// attributes of NFTA_DATA_VERDICT: code, chain) into "goto chain".
func svcVerdictData(b []byte) string {
	code, chain := int32(0), ""
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) & 0x3fff // NLA_TYPE_MASK
		if n < 4 || n > len(b) {
			break
		}
		v := b[4:n]
		switch {
		case typ == 1 && len(v) == 4: // NFTA_VERDICT_CODE, big endian
			code = int32(binary.BigEndian.Uint32(v))
		case typ == 2: // NFTA_VERDICT_CHAIN
			chain = strings.TrimRight(string(v), "\x00")
		}
		b = b[min(len(b), (n+3)&^3):]
	}
	return verdictText(expr.VerdictKind(code), chain)
}

// svcDelete is one object to delete; rank orders the deletions so that
// nothing is deleted while something still refers to it.
type svcDelete struct {
	name string
	set  bool
	rank int
}

// svcPlan is the batch that takes the kernel from what it has to what is
// wanted.
type svcPlan struct {
	addSets   []*nftables.Set
	addChains []*svcChain
	rewrite   []*svcChain
	maps      []*nftables.Set // the wanted maps, for their elements
	delElems  map[string][][]byte
	addElems  map[string][]svcElem
	deletes   []svcDelete
}

func (p *svcPlan) empty() bool {
	return len(p.addSets) == 0 && len(p.addChains) == 0 && len(p.rewrite) == 0 &&
		len(p.delElems) == 0 && len(p.addElems) == 0 && len(p.deletes) == 0
}

// diff compares the wanted objects with the observed ones.
func (d *svcDesired) diff(o *svcObserved) *svcPlan {
	p := &svcPlan{maps: d.maps, delElems: map[string][][]byte{}, addElems: map[string][]svcElem{}}
	wantSets := map[string]bool{}
	for _, s := range append(append([]*nftables.Set(nil), d.affinity...), d.maps...) {
		wantSets[s.Name] = true
		if !o.sets[s.Name] {
			p.addSets = append(p.addSets, s)
		}
	}
	wantChains := map[string]bool{}
	// Creation order: a chain exists before anything that jumps to it.
	for _, group := range [][]*svcChain{d.endpoints, d.services, d.fixed} {
		for _, ch := range group {
			wantChains[ch.chain.Name] = true
			if !o.chains[ch.chain.Name] {
				p.addChains = append(p.addChains, ch)
			}
		}
	}
	for _, ch := range d.fixed {
		if o.chains[ch.chain.Name] && !sameRules(o.rules[ch.chain.Name], ch.rules) {
			p.rewrite = append(p.rewrite, ch)
		}
	}
	for _, m := range d.maps {
		want := map[string]string{}
		for _, e := range d.elems[m.Name] {
			want[string(e.key)] = verdictText(expr.VerdictGoto, e.chain)
		}
		have := o.elems[m.Name]
		for _, k := range sortedKeys(have) {
			if want[k] != have[k] {
				p.delElems[m.Name] = append(p.delElems[m.Name], []byte(k))
			}
		}
		for _, e := range d.elems[m.Name] {
			if cur, ok := have[string(e.key)]; !ok || cur != want[string(e.key)] {
				p.addElems[m.Name] = append(p.addElems[m.Name], e)
			}
		}
	}
	for name := range o.chains {
		if !wantChains[name] {
			p.deletes = append(p.deletes, svcDelete{name: name, rank: svcChainDeleteRank(name)})
		}
	}
	for name := range o.sets {
		if !wantSets[name] {
			p.deletes = append(p.deletes, svcDelete{name: name, set: true, rank: svcSetDeleteRank(name)})
		}
	}
	sort.Slice(p.deletes, func(i, j int) bool {
		a, b := p.deletes[i], p.deletes[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.name < b.name
	})
	return p
}

// svcChainDeleteRank and svcSetDeleteRank order the deletions so that an
// object goes after everything that refers to it: the base chains (they
// jump to services and services-no-endpoints), those two (their rules read
// the four maps), the four maps (their elements point to the service
// chains and the reject chain), the service chains (their rules, with
// their anonymous maps, point to the endpoint chains and read the
// affinity sets), the endpoint chains (they update the affinity sets),
// the reject chain, the affinity sets.
func svcChainDeleteRank(name string) int {
	switch {
	case name == chainServices || name == chainSvcNoEndpoints:
		return 1
	case name == chainSvcReject:
		return 5
	case strings.HasPrefix(name, prefixServiceChain):
		return 3
	case strings.HasPrefix(name, prefixEndpointChain):
		return 4
	}
	return 0
}

func svcSetDeleteRank(name string) int {
	if slices.Contains(svcMapNames, name) {
		return 2
	}
	return 6
}

func sameRules(have []string, want []*nftables.Rule) bool {
	if len(have) != len(want) {
		return false
	}
	for i, r := range want {
		if have[i] != renderRule(r) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// queue puts the plan into c's batch, in an order the kernel accepts
// message by message: new sets, then new chains with their rules, then
// rewritten fixed chains, then the maps' elements (removed before added,
// so a changed element is replaced), then the deletions.
func (p *svcPlan) queue(c *nftables.Conn) error {
	c.AddTable(natTable)
	for _, s := range p.addSets {
		if err := c.AddSet(s, nil); err != nil {
			return fmt.Errorf("add set %s: %w", s.Name, err)
		}
	}
	for _, ch := range p.addChains {
		c.AddChain(ch.chain)
		if err := queueRules(c, ch); err != nil {
			return err
		}
	}
	for _, ch := range p.rewrite {
		c.FlushChain(ch.chain)
		if err := queueRules(c, ch); err != nil {
			return err
		}
	}
	for _, m := range p.maps {
		if keys := p.delElems[m.Name]; len(keys) > 0 {
			elems := make([]nftables.SetElement, len(keys))
			for i, k := range keys {
				elems[i] = nftables.SetElement{Key: k}
			}
			for _, part := range elemChunks(elems) {
				if err := c.SetDeleteElements(m, part); err != nil {
					return fmt.Errorf("delete elements of map %s: %w", m.Name, err)
				}
			}
		}
	}
	for _, m := range p.maps {
		if add := p.addElems[m.Name]; len(add) > 0 {
			elems := make([]nftables.SetElement, len(add))
			for i, e := range add {
				elems[i] = nftables.SetElement{Key: e.key, VerdictData: &expr.Verdict{Kind: expr.VerdictGoto, Chain: e.chain}, Comment: e.comment}
			}
			for _, part := range elemChunks(elems) {
				if err := c.SetAddElements(m, part); err != nil {
					return fmt.Errorf("add elements to map %s: %w", m.Name, err)
				}
			}
		}
	}
	for _, d := range p.deletes {
		if d.set {
			c.DelSet(&nftables.Set{Table: natTable, Name: d.name})
		} else {
			c.DelChain(&nftables.Chain{Table: natTable, Name: d.name})
		}
	}
	return nil
}

// elemListMax bounds the elements of one NEWSETELEM or DELSETELEM
// message: the library puts them all in one netlink attribute, whose
// length is 16 bits, and a list past 64 KiB wraps it (the kernel then
// reads a garbled list: ENOENT for a Service of 2000 ports). Several
// messages of one batch are still one transaction.
const elemListMax = 32 << 10

// elemChunks splits elems so that each part's attribute stays below
// elemListMax (keys, verdict chain names, comments and their headers).
func elemChunks(elems []nftables.SetElement) [][]nftables.SetElement {
	var out [][]nftables.SetElement
	start, size := 0, 0
	for i, e := range elems {
		n := 64 + len(e.Key) + len(e.Comment)
		if e.VerdictData != nil {
			n += len(e.VerdictData.Chain)
		}
		if size+n > elemListMax && i > start {
			out = append(out, elems[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(out, elems[start:])
}

func queueRules(c *nftables.Conn, ch *svcChain) error {
	if ch.lb != nil {
		if err := c.AddSet(ch.lb.set, ch.lb.elems); err != nil {
			return fmt.Errorf("add map of chain %s: %w", ch.chain.Name, err)
		}
	}
	for _, r := range ch.rules {
		c.AddRule(r)
	}
	return nil
}
