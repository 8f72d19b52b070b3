package network

import (
	"os"
	"testing"

	"github.com/google/nftables"
)

// TestNATStamp: attach checks the fixed NAT rules once per ruleset
// generation. A table it had to write is checked again next time; a table
// found right is stamped; any change to the ruleset (here, a flushed chain)
// moves the generation on and brings the check back, which repairs it. And
// a stamp of the current generation is trusted: the check is skipped.
func TestNATStamp(t *testing.T) {
	natTestNetNS(t)
	c := Config{Bridge: "minipod0", Subnet: mustCIDR(t, "10.89.0.0/16"), StateDir: t.TempDir()}
	gen0, table, err := rulesetGeneration()
	if err != nil || table != 0 {
		t.Fatalf("generation %d, table handle %d, %v: want no table yet", gen0, table, err)
	}
	if _, err := c.ensureNAT(); err != nil {
		t.Fatal(err)
	}
	wantNATRules(t, natFixed)
	if gen1, table, _ := rulesetGeneration(); gen1 == gen0 || table == 0 {
		t.Fatalf("writing the table: generation %d -> %d, table handle %d", gen0, gen1, table)
	}
	if readStamp(c.natStampPath()) != "" {
		t.Fatal("a table just written was stamped")
	}
	if _, err := c.ensureNAT(); err != nil {
		t.Fatal(err)
	}
	want, err := c.natStamp()
	if err != nil {
		t.Fatal(err)
	}
	if got := readStamp(c.natStampPath()); got != want {
		t.Fatalf("stamp %q, want %q", got, want)
	}

	flushPostrouting(t)
	if _, err := c.ensureNAT(); err != nil {
		t.Fatal(err)
	}
	wantNATRules(t, natFixed) // repaired: the flush moved the generation

	// Stamp the damaged table by hand: the check is skipped.
	flushPostrouting(t)
	forged, err := c.natStamp()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.natStampPath(), []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ensureNAT(); err != nil {
		t.Fatal(err)
	}
	if got := natRules(t); len(got) != len(natFixed)-3 {
		t.Fatalf("a stamp of the current generation did not skip the check: %d rules", len(got))
	}
}

func flushPostrouting(t *testing.T) {
	t.Helper()
	conn, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	conn.FlushChain(postroutingChain)
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
}
