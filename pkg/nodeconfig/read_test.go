package nodeconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	text := "# node\nbridge = br9\n  subnet=10.1.0.0/16 \nbridge = br10\nlog-max-files = x\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINIPOD_CONFIG", path)
	if v, _ := String("bridge", "d"); v != "br10" {
		t.Errorf("bridge = %q, want the last line's br10", v)
	}
	if v, _ := String("subnet", "d"); v != "10.1.0.0/16" {
		t.Errorf("subnet = %q", v)
	}
	if v, _ := String("missing", "d"); v != "d" {
		t.Errorf("missing = %q, want the default", v)
	}
	t.Setenv("MINIPOD_BRIDGE", "fromenv")
	if v, _ := String("bridge", "d"); v != "fromenv" {
		t.Errorf("env does not win: %q", v)
	}
	if _, err := Int("log-max-files", 5, 2, 10); err == nil {
		t.Error("a bad integer was accepted")
	}
	if n, err := Int("unset-number", 5, 2, 10); err != nil || n != 5 {
		t.Errorf("unset number = %d, %v", n, err)
	}
	t.Setenv("MINIPOD_SOME_LIST", " a, ,b ")
	if l, _ := List("some-list"); len(l) != 2 || l[0] != "a" || l[1] != "b" {
		t.Errorf("list = %q", l)
	}
}

func TestUnreadableFileIsAnError(t *testing.T) {
	t.Setenv("MINIPOD_CONFIG", t.TempDir()) // a directory: open works, read fails
	if _, _, err := Lookup("bridge"); err == nil {
		t.Error("reading a directory as the config file did not fail")
	}
}
