package network

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTCPInUse reads the count of sockets in use from a sockstat table; a
// missing table (no IPv6) counts none, one without the line is an error.
func TestTCPInUse(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	v4 := write("sockstat", "sockets: used 11\nTCP: inuse 3 orphan 5 tw 2 alloc 6 mem 228\nUDP: inuse 1 mem 0\n")
	v6 := write("sockstat6", "TCP6: inuse 0\nUDP6: inuse 2\n")
	none := write("none", "sockets: used 1\nUDP: inuse 0 mem 0\n")
	for _, c := range []struct {
		file, key string
		want      int
	}{{v4, "TCP:", 3}, {v6, "TCP6:", 0}, {filepath.Join(dir, "missing"), "TCP6:", 0}} {
		if n, err := tcpInUse(c.file, c.key); err != nil || n != c.want {
			t.Errorf("%s %s: %d, %v; want %d", filepath.Base(c.file), c.key, n, err, c.want)
		}
	}
	if _, err := tcpInUse(none, "TCP:"); err == nil {
		t.Errorf("a table without a TCP line: no error")
	}
}
