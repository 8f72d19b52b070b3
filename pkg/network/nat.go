package network

import (
	"errors"
	"fmt"
	"net"
	"sort"

	"github.com/google/nftables"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"golang.org/x/sys/unix"
)

// PortMapping is one hostPort of a pod.
type PortMapping struct {
	HostIP        net.IP // nil or 0.0.0.0 = every local address of the node (incl. 127.0.0.1)
	HostPort      uint16
	ContainerPort uint16
	Protocol      string // "tcp" or "udp" (lower case); "sctp" works too
	PodIP         net.IP
	// Field is where the port is in the manifest, e.g.
	// spec.containers[0].ports[1]; errors about the mapping name its
	// fields from there.
	Field string
}

// TableName is minipod's own nftables table (family ip). minipod never
// touches any other table.
const TableName = "minipod"

// removeAttempts bounds RemovePod's retries: its batch names rules by
// handle, and a rule deleted by someone else between listing and flushing
// fails the whole batch with ENOENT.
const removeAttempts = 3

// All functions below open their netlink sockets from the calling thread,
// so they act on the network namespace of that thread (the host's, unless
// the caller locked its thread into another one, as the tests do).

// SetupNAT makes sure table ip minipod exists with its chains and fixed
// rules: the masquerade rules for subnet (egress) and for 127.0.0.0/8
// leaving through bridge (hostPorts reached at 127.0.0.1; needs
// route_localnet on the bridge), and the input and forward guards of
// guardRules. It is a single atomic batch, so concurrent callers each see
// either the old or the new table, and calling it again (also with another
// subnet or bridge, or on a table an older minipod made with fewer chains)
// just rewrites the fixed rules.
func SetupNAT(subnet *net.IPNet, bridge string) error {
	rules, err := natRulesFor(subnet, bridge)
	if err != nil {
		return err
	}
	_, err = setupNAT(rules)
	return err
}

// natRulesFor is the fixed rules SetupNAT writes for subnet and bridge, and
// for the node setting service-cidr (the address of default/kubernetes).
func natRulesFor(subnet *net.IPNet, bridge string) ([]*nftables.Rule, error) {
	if bridge == "" || len(bridge) >= nftIfNameLen {
		return nil, fmt.Errorf("set up NAT: invalid bridge name %q", bridge)
	}
	services, err := nodeconfig.ServiceCIDR()
	if err != nil {
		return nil, fmt.Errorf("set up NAT: %w", err)
	}
	rules, err := fixedRules(subnet, bridge, nodeconfig.KubernetesServiceIP(services))
	if err != nil {
		return nil, fmt.Errorf("set up NAT: %w", err)
	}
	return append(rules, podGuardRules()...), nil
}

// setupNAT makes the table hold rules as its fixed rules, telling whether
// it did already.
func setupNAT(rules []*nftables.Rule) (upToDate bool, err error) {
	c, err := nftables.New()
	if err != nil {
		return false, fmt.Errorf("set up NAT: %w", err)
	}
	// Every `up` calls this; a batch that touches NAT chains costs ~15 ms
	// of kernel time, so skip it when the table already says what we want.
	if natUpToDate(c, rules) {
		return true, nil
	}
	ensureTable(c, allChains...)
	if err := ensureGuardTable(c); err != nil {
		return false, fmt.Errorf("set up table bridge %s: %w", TableName, err)
	}
	// Flushing the fixed chains inside the same batch replaces their rules
	// atomically instead of piling up duplicates on every call.
	for _, ch := range append(fixedChains, guardChains...) {
		c.FlushChain(ch)
	}
	for _, r := range rules {
		c.AddRule(r)
	}
	if err := c.Flush(); err != nil {
		return false, fmt.Errorf("set up NAT table ip %s: %w", TableName, err)
	}
	return false, nil
}

// allChains are the chains of the table; fixedChains those that hold only
// the rules of SetupNAT (prerouting and output hold the pods' DNAT rules).
var (
	allChains   = []*nftables.Chain{preroutingChain, outputChain, postroutingChain, inputChain, forwardChain}
	fixedChains = []*nftables.Chain{postroutingChain, inputChain, forwardChain}
)

func fixedRules(subnet *net.IPNet, bridge string, api net.IP) ([]*nftables.Rule, error) {
	masq, err := masqueradeRules(subnet, bridge)
	if err != nil {
		return nil, err
	}
	guard, err := guardRules(bridge, api)
	if err != nil {
		return nil, err
	}
	return append(masq, guard...), nil
}

// AddPortMappings adds the DNAT rules of pod's hostPorts to prerouting
// (traffic arriving from elsewhere) and output (traffic from the node
// itself). Rules the pod already has are not added again, so retrying after
// a crash is harmless. The table and DNAT chains are created if missing.
func AddPortMappings(pod string, ms []PortMapping) error {
	if pod == "" {
		return errors.New("add port mappings: empty pod name")
	}
	if len(ms) == 0 {
		return nil // no hostPort: nothing to publish, no round trip
	}
	var rules []*nftables.Rule
	for _, m := range ms {
		rs, err := dnatRules(pod, m)
		if err != nil {
			return fmt.Errorf("add port mappings of pod %s: %w", pod, err)
		}
		rules = append(rules, rs...)
	}
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("add port mappings of pod %s: %w", pod, err)
	}
	if err := addMissingRules(c, rules); err != nil {
		return fmt.Errorf("add port mappings of pod %s: %w", pod, err)
	}
	return nil
}

func addMissingRules(c *nftables.Conn, rules []*nftables.Rule) error {
	existing, err := listRules(c)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range existing {
		have[ruleKey(r)] = true
	}
	ensureTable(c, preroutingChain, outputChain)
	for _, r := range rules {
		if k := ruleKey(r); !have[k] {
			have[k] = true
			c.AddRule(r)
		}
	}
	return c.Flush()
}

// natUpToDate reports whether every chain exists and the fixed chains hold
// exactly the wanted rules. Only the fixed chains are read, so the cost
// does not grow with the number of pods.
func natUpToDate(c *nftables.Conn, want []*nftables.Rule) bool {
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return false
	}
	exists := map[string]bool{}
	for _, ch := range chains {
		if ch.Table != nil && ch.Table.Name == TableName {
			exists[ch.Name] = true
		}
	}
	for _, ch := range allChains {
		if !exists[ch.Name] {
			return false
		}
	}
	if !guardChainsExist(c) {
		return false
	}
	have := map[string]bool{}
	n := 0
	for _, ch := range append(fixedChains, guardChains...) {
		rs, err := c.GetRules(ch.Table, ch)
		if err != nil {
			return false
		}
		for _, r := range rs {
			have[ruleKey(r)] = true
			n++
		}
	}
	if n != len(want) {
		return false
	}
	for _, r := range want {
		if !have[ruleKey(r)] {
			return false
		}
	}
	return true
}

// ruleKey identifies a rule by chain, rendered match/action and comment, so
// a rule built here compares equal to the same rule read back from the
// kernel.
func ruleKey(r *nftables.Rule) string {
	return r.Chain.Name + "\x00" + renderRule(r)
}

// RemovePod deletes every rule carrying pod's comment, in all chains of the
// table. Without table or rules there is nothing to do.
func RemovePod(pod string) error {
	want := podComment(pod)
	var err error
	for range removeAttempts {
		if err = removeRules(want); !errors.Is(err, unix.ENOENT) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("remove NAT rules of pod %s: %w", pod, err)
	}
	return nil
}

func removeRules(comment string) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	rules, err := listRules(c)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if ruleComment(r) != comment {
			continue
		}
		if err := c.DelRule(r); err != nil {
			return err
		}
	}
	return c.Flush()
}

// TeardownNAT deletes table ip minipod with everything in it, its filter
// chains too, and table bridge minipod. Idempotent.
func TeardownNAT() error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("tear down NAT: %w", err)
	}
	// Adding the table first makes the delete succeed whether or not it
	// existed, in one atomic batch and without a racy existence check.
	c.AddTable(natTable)
	c.DelTable(natTable)
	c.AddTable(guardTable)
	c.DelTable(guardTable)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("delete tables ip and bridge %s: %w", TableName, err)
	}
	return nil
}

// NATRules lists the rules of the table, one string per rule in the form
// `chain: expressions comment "owner"`; empty when the table does not
// exist.
func NATRules() ([]string, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("list NAT rules: %w", err)
	}
	rules, err := listRules(c)
	if err != nil {
		return nil, fmt.Errorf("list NAT rules: %w", err)
	}
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.Chain.Name+": "+renderRule(r))
	}
	return out, nil
}

// ensureTable queues the creation of the table and chains; both are no-ops
// when they already exist with the same definition.
func ensureTable(c *nftables.Conn, chains ...*nftables.Chain) {
	c.AddTable(natTable)
	for _, ch := range chains {
		c.AddChain(ch)
	}
}

// listRules returns the rules of every chain of the table, chains in hook
// order; none when the table does not exist.
func listRules(c *nftables.Conn) ([]*nftables.Rule, error) {
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, fmt.Errorf("list chains: %w", err)
	}
	var ours []*nftables.Chain
	for _, ch := range chains {
		if ch.Table.Name == TableName {
			ours = append(ours, ch)
		}
	}
	sort.SliceStable(ours, func(i, j int) bool { return chainRank(ours[i]) < chainRank(ours[j]) })
	var rules []*nftables.Rule
	for _, ch := range ours {
		rs, err := c.GetRules(natTable, ch)
		if err != nil {
			return nil, fmt.Errorf("list rules of chain %s: %w", ch.Name, err)
		}
		rules = append(rules, rs...)
	}
	return rules, nil
}

func chainRank(ch *nftables.Chain) int {
	switch ch.Name {
	case chainPrerouting:
		return 0
	case chainOutput:
		return 1
	case chainPostrouting:
		return 2
	case chainInput:
		return 3
	case chainForward:
		return 4
	}
	return 5
}
