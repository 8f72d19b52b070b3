package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lib "github.com/opencontainers/cgroups"
)

// standIn builds a fake cgroup2 tree: plain files where the kernel would
// have them, for the levels that exist before a pod is created.
func standIn(t *testing.T, controllers string, levels ...string) string {
	t.Helper()
	root := t.TempDir()
	dir := root
	for _, l := range append([]string{""}, levels...) {
		dir = filepath.Join(dir, l)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{"cgroup.controllers": controllers, "cgroup.subtree_control": "cpu\n"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// TestV2CreateStandIn: on cgroup v2, creating a container's cgroup makes
// each parent delegate the controllers it has but does not delegate yet
// (so limits can be set below), creates only what is missing, and
// Resolve names the same directory.
func TestV2CreateStandIn(t *testing.T) {
	// The library refuses files that are not on a cgroup filesystem,
	// except in its test mode, made for stand-ins like this one.
	lib.TestMode = true
	t.Cleanup(func() { lib.TestMode = false })
	mount := standIn(t, "cpu memory pids\n", "minipod", "podU")
	d := Driver{V2: true, Mount: mount}
	dirs, err := d.Create("/minipod/podU/app", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(mount, "minipod", "podU", "app")
	if dirs[""] != want || len(dirs) != 1 {
		t.Errorf("dirs = %v, want only %s", dirs, want)
	}
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Fatalf("leaf not created: %v", err)
	}
	for _, level := range []string{mount, filepath.Join(mount, "minipod"), filepath.Join(mount, "minipod", "podU")} {
		got, _ := os.ReadFile(filepath.Join(level, "cgroup.subtree_control"))
		if strings.TrimSpace(string(got)) != "+memory +pids" {
			t.Errorf("%s: subtree_control written %q, want the two missing controllers", level, got)
		}
	}
	if r, _ := d.Resolve("/minipod/podU/app"); r[""] != want {
		t.Errorf("Resolve = %v", r)
	}
	if _, err := d.Create("/minipod/../../escape", nil); err == nil {
		t.Error("a path outside the mount was accepted")
	}
}
