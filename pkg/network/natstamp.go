package network

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Checking that table ip minipod holds the fixed NAT rules means listing
// its chains and rules: 3-7 ms in a monitor that just started, the largest
// part of attaching a pod. The kernel numbers the states of its nftables
// ruleset (the generation, which every committed change of any table
// moves on), so once a check found the table right at generation G,
// finding the ruleset still at G proves it right without reading it. The
// stamp names the boot too: generations start again at each boot.

// ensureNAT is SetupNAT for Attach, skipping the check when the stamp says
// the table was found right at the current generation. The caller holds
// the network lock, as every writer of the stamp does.
func (c Config) ensureNAT() error {
	want, err := c.natStamp()
	if err == nil && readStamp(c.natStampPath()) == want {
		return nil
	}
	upToDate, serr := setupNAT(c.Subnet, c.Bridge)
	if serr != nil {
		return serr
	}
	// Only a table found right is stamped, with the generation read before
	// it was found so: a change meanwhile moved the generation on, and the
	// next attach checks again. A table just written is checked next time.
	if err == nil && upToDate {
		_ = os.WriteFile(c.natStampPath(), []byte(want), 0o600)
	} else {
		_ = os.Remove(c.natStampPath())
	}
	return nil
}

func (c Config) natStampPath() string { return filepath.Join(c.StateDir, "nat-checked") }

// natStamp is what the stamp says when the table is right now: the boot,
// the ruleset's generation, the subnet and the bridge.
func (c Config) natStamp() (string, error) {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	gen, err := rulesetGeneration()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %d %s %s\n", strings.TrimSpace(string(boot)), gen, c.Subnet, c.Bridge), nil
}

func readStamp(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// rulesetGeneration asks the kernel for its nftables generation
// (NFT_MSG_GETGEN) in the caller's network namespace.
func rulesetGeneration() (uint32, error) {
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return 0, fmt.Errorf("read nftables generation: %w", err)
	}
	defer conn.Close()
	msgs, err := conn.Execute(netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_GETGEN),
			Flags: netlink.Request,
		},
		// struct nfgenmsg: family, version, resource id.
		Data: []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0},
	})
	if err != nil {
		return 0, fmt.Errorf("read nftables generation: %w", err)
	}
	for _, m := range msgs {
		if len(m.Data) < 4 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			continue
		}
		ad.ByteOrder = binary.BigEndian
		for ad.Next() {
			if ad.Type() == unix.NFTA_GEN_ID {
				return ad.Uint32(), nil
			}
		}
	}
	return 0, fmt.Errorf("read nftables generation: no generation in the reply")
}
