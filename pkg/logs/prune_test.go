package logs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestPruneKeepsTwoInstances(t *testing.T) {
	pod := t.TempDir()
	dir := filepath.Join(pod, "c")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	names := []string{
		"0.log", "0.log.20260101-000000", "0.log.20260101-000001.gz",
		"1.log", "1.log.20260101-000002.gz.tmp",
		"2.log", "2.log.20260101-000003", "3.log", "notes.txt", "x.log",
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Prune(pod, "c", 2); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	want := []string{"2.log", "2.log.20260101-000003", "3.log", "notes.txt", "x.log"}
	if !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if err := Prune(pod, "absent", 5); err != nil {
		t.Errorf("pruning a container without logs: %v", err)
	}
}
