package network

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// guardChains are the chains of table bridge minipod, which hold only the
// fixed rules of podGuardRules.
var guardChains = []*nftables.Chain{guardChain, guardFramesChain}

// ensureGuardTable adds table bridge minipod, its chains and its sets to
// the batch of c; what exists already (the sets and their elements above
// all) is kept.
func ensureGuardTable(c *nftables.Conn) error {
	c.AddTable(guardTable)
	for _, ch := range guardChains {
		c.AddChain(ch)
	}
	for _, s := range guardSets {
		if err := c.AddSet(s, nil); err != nil {
			return err
		}
	}
	return nil
}

// guardChainsExist reports whether the table's chains are all there.
func guardChainsExist(c *nftables.Conn) bool {
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyBridge)
	if err != nil {
		return false
	}
	found := 0
	for _, ch := range chains {
		if ch.Table != nil && ch.Table.Name == TableName && (ch.Name == chainPodGuard || ch.Name == chainPodFrames) {
			found++
		}
	}
	return found == len(guardChains)
}

// guardPod has the bridge check the pod's veth from its first frame on:
// the veth's name, the pod's MAC (PodMAC) and its address go into the
// table's sets. Entries of veths that are gone (detach leaves them) are
// deleted in the same batch once pruneAt pods left theirs. The caller
// holds the network lock and has ensured the tables (chk).
func (c Config) guardPod(o Owner, ip net.IP, chk natCheck) error {
	prune := c.leftGuards() >= pruneAt
	if err := addGuards(vethName(o), ip, prune); err != nil {
		return fmt.Errorf("guard the veth of %s: %w", o.Pod, err)
	}
	if prune {
		_ = os.Remove(c.leftGuardsPath())
	}
	c.keepStamp(chk)
	return nil
}

// addGuards commits veth's entries, with the deletion of those of gone
// veths if prune.
func addGuards(veth string, ip net.IP, prune bool) error {
	nc, err := nftables.New()
	if err != nil {
		return err
	}
	if prune {
		stale, err := staleGuards(nc, veth)
		if err != nil {
			return err
		}
		if err := deleteGuards(nc, stale); err != nil {
			return err
		}
	}
	var keys [3][]byte
	keys[0], keys[1], keys[2] = guardKeys(veth, PodMAC(ip), ip)
	for i, s := range guardSets {
		if err := nc.SetAddElements(s, []nftables.SetElement{{Key: keys[i]}}); err != nil {
			return err
		}
	}
	return nc.Flush()
}

// leftGuardsPath counts the pods whose entries detach left (it does not
// delete them, see detach): a file of as many bytes, so that counting one
// more is an append, and reading the count a stat. Written under the
// network lock.
func (c Config) leftGuardsPath() string { return filepath.Join(c.StateDir, "guards-left") }

func (c Config) leftGuards() int64 {
	fi, err := os.Stat(c.leftGuardsPath())
	if err != nil {
		return 0
	}
	return fi.Size()
}

// guardLeft counts one more pod whose entries were left.
func (c Config) guardLeft() error {
	f, err := os.OpenFile(c.leftGuardsPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("count guard entries left: %w", err)
	}
	_, err = f.Write([]byte{'.'})
	return errors.Join(err, f.Close())
}

// pruneAt is how many pods may have left their entries in the sets
// before an attach deletes those of veths that are gone: an entry costs
// the kernel ~100 bytes, a deletion 7-20 ms.
const pruneAt = 32

// staleGuards finds the entries to delete before veth's are added: those
// of veths that no longer exist (entries of pods an attach that failed
// half-way left are among them). A pod that attaches again under the same
// veth took its own out: DetachDeleting.
func staleGuards(nc *nftables.Conn, veth string) ([3][]nftables.SetElement, error) {
	var none [3][]nftables.SetElement
	ports, err := nc.GetSetElements(podPorts)
	if err != nil {
		return none, fmt.Errorf("list %s: %w", setPodPorts, err)
	}
	links, err := netlink.LinkList()
	if err != nil {
		return none, fmt.Errorf("list links: %w", err)
	}
	exist := map[string]bool{}
	for _, l := range links {
		exist[l.Attrs().Name] = true
	}
	drop := map[string]bool{}
	for _, e := range ports {
		if name := string(bytes.TrimRight(e.Key, "\x00")); !exist[name] && name != veth {
			drop[string(e.Key)] = true
		}
	}
	if len(drop) == 0 {
		return none, nil
	}
	return guardElements(nc, func(port []byte) bool { return drop[string(port)] })
}

// unguardPod takes the pod's veth out of the table's sets, with whatever
// MAC and address it was added with: they are read from the sets, as a
// failed attach or a lost lease leaves no other record of them. Without
// the table, or the veth in it, there is nothing to do.
func (c Config) unguardPod(o Owner) error {
	nc, err := nftables.New()
	if err != nil {
		return fmt.Errorf("unguard the veth of %s: %w", o.Pod, err)
	}
	own, _, _ := guardKeys(vethName(o), nil, nil)
	found, err := guardElements(nc, func(port []byte) bool { return bytes.Equal(port, own) })
	if errors.Is(err, unix.ENOENT) || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err == nil && len(found[0])+len(found[1])+len(found[2]) > 0 {
		if err = deleteGuards(nc, found); err == nil {
			err = nc.Flush()
		}
	}
	if err != nil {
		return fmt.Errorf("unguard the veth of %s: %w", o.Pod, err)
	}
	return nil
}

// guardElements lists the entries of each set whose veth (the key's
// first nftIfNameLen bytes) match says to take.
func guardElements(nc *nftables.Conn, match func(port []byte) bool) ([3][]nftables.SetElement, error) {
	var found [3][]nftables.SetElement
	for i, s := range guardSets {
		els, err := nc.GetSetElements(s)
		if err != nil {
			return found, fmt.Errorf("list %s: %w", s.Name, err)
		}
		for _, e := range els {
			if len(e.Key) >= nftIfNameLen && match(e.Key[:nftIfNameLen]) {
				found[i] = append(found[i], nftables.SetElement{Key: e.Key})
			}
		}
	}
	return found, nil
}

// deleteGuards adds the deletion of els (by set, as guardElements gives
// them) to the batch of nc.
func deleteGuards(nc *nftables.Conn, els [3][]nftables.SetElement) error {
	for i, s := range guardSets {
		if len(els[i]) == 0 {
			continue
		}
		if err := nc.SetDeleteElements(s, els[i]); err != nil {
			return err
		}
	}
	return nil
}
