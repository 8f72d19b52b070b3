package logs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPaths(t *testing.T) {
	dir := PodDir("/var/log/pods", "default", "web", "1234")
	if want := "/var/log/pods/default_web_1234"; dir != want {
		t.Errorf("PodDir = %q, want %q", dir, want)
	}
	if got, want := Path(dir, "nginx", 3), "/var/log/pods/default_web_1234/nginx/3.log"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
}

func TestPrevious(t *testing.T) {
	dir := t.TempDir()
	touch(t, Path(dir, "app", 0))
	touch(t, Path(dir, "app", 2))
	const msg = `previous terminated container "app" not found`
	tests := []struct {
		name    string
		restart int
		want    string // path; empty means an error is expected
	}{
		{"first instance has no previous", 0, ""},
		{"previous file exists", 1, Path(dir, "app", 0)},
		{"previous file missing", 2, ""},
		{"previous of a later restart", 3, Path(dir, "app", 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Previous(dir, "app", tt.restart)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("Previous = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || err.Error() != msg || !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Previous error = %v; want %q matching fs.ErrNotExist", err, msg)
			}
		})
	}
}

func TestLatest(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"0.log", "2.log", "10.log", "9.log", "x.log", "11.log.1", "+12.log", ".log"} {
		touch(t, filepath.Join(dir, "app", name))
	}
	if err := os.Mkdir(filepath.Join(dir, "app", "20.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, restart, err := Latest(dir, "app")
	if err != nil || restart != 10 || path != Path(dir, "app", 10) {
		t.Fatalf("Latest = %q, %d, %v; want restart 10", path, restart, err)
	}

	touch(t, filepath.Join(dir, "empty", "junk"))
	for _, c := range []string{"empty", "missing"} {
		if _, _, err := Latest(dir, c); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Latest(%q) error = %v; want fs.ErrNotExist", c, err)
		}
	}
}

// TestExists: an instance's log is there with its file, or with rotated
// files alone; not with neither.
func TestExists(t *testing.T) {
	dir := t.TempDir()
	touch(t, Path(dir, "app", 0))
	touch(t, Path(dir, "app", 1)+"."+rotKey{stamp: time.Now().UTC().Format(stampLayout)}.String())
	for restart, want := range map[int]bool{0: true, 1: true, 2: false} {
		if got, err := Exists(Path(dir, "app", restart)); got != want || err != nil {
			t.Errorf("Exists(instance %d) = %v, %v; want %v", restart, got, err, want)
		}
	}
}
