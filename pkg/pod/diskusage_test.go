package pod

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDiskUsage(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i)
	}
	if err := os.WriteFile(filepath.Join(dir, "a"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "hard")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "root")); err != nil {
		t.Fatal(err)
	}
	sparse, err := os.Create(filepath.Join(dir, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sparse.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	sparse.Close()
	n, err := diskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	// One MiB once (the hard link is the same inode), the sparse file
	// nothing, the symlink not followed; directories a block or so.
	if n < 1<<20 || n > 1<<20+64<<10 {
		t.Errorf("diskUsage = %d, want about 1 MiB", n)
	}
	if n, err := diskUsage(filepath.Join(dir, "absent")); err != nil || n != 0 {
		t.Errorf("absent dir: %d, %v", n, err)
	}
}
