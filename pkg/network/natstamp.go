package network

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Checking that table ip minipod holds the fixed NAT rules means listing
// its chains and rules: 3-7 ms in a monitor that just started, the largest
// part of attaching a pod. The kernel numbers the states of its nftables
// ruleset (the generation, which every committed change of any table
// moves on), so once a check found the table right at generation G,
// finding the ruleset still at G proves it right without reading it. The
// stamp also names what makes G mean that: the boot and the network
// namespace (generations start again in each), the table's handle (a
// reload of nf_tables, which starts generations again too, first deletes
// every table), and a hash of the rules checked (a newer minipod wants
// other rules of the same table).

// natCheck is what ensureNAT found: the stamp's place, and the
// generation and table handle at which the stamp held (valid), so that a
// commit of the caller's own can carry the stamp along (keepStamp).
type natCheck struct {
	place string
	gen   uint32
	table uint64
	valid bool
}

// ensureNAT is SetupNAT for Attach, skipping the check when the stamp says
// the table was found right at the current generation. The caller holds
// the network lock, as every writer of the stamp does.
func (c Config) ensureNAT() (natCheck, error) {
	rules, err := natRulesFor(c.Subnet, c.Bridge)
	if err != nil {
		return natCheck{}, err
	}
	var chk natCheck
	chk.place, err = stampPlace(rules)
	if err == nil {
		chk.gen, chk.table, err = rulesetGeneration()
	}
	want := stampAt(chk.place, chk.gen, chk.table)
	if err == nil && readStamp(c.natStampPath()) == want {
		chk.valid = true
		return chk, nil
	}
	upToDate, serr := setupNAT(rules)
	if serr != nil {
		return natCheck{}, serr
	}
	// Only a table found right is stamped, with the generation read before
	// it was found so, and only if the generation has not moved since (a
	// commit in flight during the check might not have been seen). A table
	// just written is checked next time.
	if err == nil && upToDate {
		if after, aerr := stampNow(chk.place); aerr == nil && after == want {
			_ = os.WriteFile(c.natStampPath(), []byte(want), 0o600)
			chk.valid = true
			return chk, nil
		}
	}
	_ = os.Remove(c.natStampPath())
	return natCheck{}, nil
}

// keepStamp carries a valid stamp across one commit of the caller's that
// changed no rule (set elements): right at chk's generation, the tables
// are right at the next one if that commit alone came in between. Without
// it, each pod's attach would cost the next attach a full check.
// (The table's handle is not read again: a batch that replaced the table
// would have moved the generation too.)
func (c Config) keepStamp(chk natCheck) {
	if !chk.valid {
		return
	}
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	if after, err := nftGeneration(conn); err == nil && after == chk.gen+1 {
		_ = os.WriteFile(c.natStampPath(), []byte(stampAt(chk.place, after, chk.table)), 0o600)
	}
}

func (c Config) natStampPath() string { return filepath.Join(c.StateDir, "nat-checked") }

// natStamp is what the stamp says when the table is right now.
func (c Config) natStamp() (string, error) {
	rules, err := natRulesFor(c.Subnet, c.Bridge)
	if err != nil {
		return "", err
	}
	place, err := stampPlace(rules)
	if err != nil {
		return "", err
	}
	return stampNow(place)
}

// stampPlace is the part of the stamp that does not change while the
// table is checked: the boot, the network namespace and the rules.
func stampPlace(rules []*nftables.Rule) (string, error) {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	var netns unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &netns); err != nil {
		return "", fmt.Errorf("identify network namespace: %w", err)
	}
	h := sha256.New()
	for _, r := range rules {
		h.Write([]byte(ruleKey(r) + "\n"))
	}
	return fmt.Sprintf("%s %d:%d %x", strings.TrimSpace(string(boot)), netns.Dev, netns.Ino, h.Sum(nil)), nil
}

// stampNow adds the ruleset's generation and the table's handle now.
func stampNow(place string) (string, error) {
	gen, table, err := rulesetGeneration()
	if err != nil {
		return "", err
	}
	return stampAt(place, gen, table), nil
}

// stampAt is the stamp of place at generation gen, with the table's
// handle.
func stampAt(place string, gen uint32, table uint64) string {
	return fmt.Sprintf("%s %d %d\n", place, gen, table)
}

func readStamp(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// rulesetGeneration asks the kernel for its nftables generation
// (NFT_MSG_GETGEN) in the caller's network namespace, and for the handle
// of table ip minipod (0 if there is none).
func rulesetGeneration() (gen uint32, table uint64, err error) {
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("read nftables generation: %w", err)
	}
	defer conn.Close()
	if gen, err = nftGeneration(conn); err != nil {
		return 0, 0, err
	}
	name, err := netlink.MarshalAttributes([]netlink.Attribute{{Type: unix.NFTA_TABLE_NAME, Data: append([]byte(TableName), 0)}})
	if err != nil {
		return 0, 0, err
	}
	tableAttrs, err := nftGet(conn, unix.NFT_MSG_GETTABLE, unix.AF_INET, name)
	if errors.Is(err, unix.ENOENT) {
		return gen, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read table ip %s: %w", TableName, err)
	}
	for _, a := range tableAttrs {
		if a.Type == nftaTableHandle && len(a.Data) == 8 {
			table = binary.BigEndian.Uint64(a.Data)
		}
	}
	return gen, table, nil
}

// nftGeneration asks the kernel for its nftables generation.
func nftGeneration(conn *netlink.Conn) (uint32, error) {
	attrs, err := nftGet(conn, unix.NFT_MSG_GETGEN, unix.AF_UNSPEC, nil)
	if err != nil {
		return 0, fmt.Errorf("read nftables generation: %w", err)
	}
	for _, a := range attrs {
		if a.Type == unix.NFTA_GEN_ID && len(a.Data) == 4 {
			return binary.BigEndian.Uint32(a.Data), nil
		}
	}
	return 0, fmt.Errorf("read nftables generation: no generation in the reply")
}

// nftGet sends one nftables get request and returns the attributes of its
// reply.
func nftGet(conn *netlink.Conn, msg uint16, family byte, attrs []byte) ([]netlink.Attribute, error) {
	msgs, err := conn.Execute(netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | int(msg)), Flags: netlink.Request},
		// struct nfgenmsg: family, version, resource id; then attributes.
		Data: append([]byte{family, unix.NFNETLINK_V0, 0, 0}, attrs...),
	})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if len(m.Data) >= 4 {
			return netlink.UnmarshalAttributes(m.Data[4:])
		}
	}
	return nil, nil
}

// nftaTableHandle is NFTA_TABLE_HANDLE of linux/netfilter/nf_tables.h,
// which golang.org/x/sys does not name.
const nftaTableHandle = 4
