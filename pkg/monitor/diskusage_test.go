package monitor

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
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

// A directory swapped for a symlink (to /, say) is never walked through,
// and a subdirectory is counted.
func TestDiskUsageStaysBeneath(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub", "deeper")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "f"), make([]byte, 256<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr", filepath.Join(dir, "sub", "usr")); err != nil {
		t.Fatal(err)
	}
	n, err := diskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < 256<<10 || n > 256<<10+64<<10 {
		t.Errorf("diskUsage = %d, want about 256 KiB", n)
	}
	// The walk's own resolution refuses a symlinked directory outright.
	top, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer top.Close()
	if _, err := usageOfDir(top, "sub/usr", func(*unix.Stat_t) {}); err != nil {
		t.Errorf("a symlinked directory: %v, want it treated as gone", err)
	}
	if got, _ := usageOfDir(top, "sub/usr", func(*unix.Stat_t) { t.Error("counted through a symlink") }); got != nil {
		t.Errorf("walked through a symlink into %v", got)
	}
}
