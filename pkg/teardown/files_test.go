package teardown

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		"/run/minipod/web":           "/run/minipod/web",
		`/mnt/with\040space`:         "/mnt/with space",
		`/mnt/tab\011and\012newline`: "/mnt/tab\tand\nnewline",
		`/mnt/back\134slash`:         `/mnt/back\slash`,
		`/mnt/\040\040two`:           "/mnt/  two",
		`/mnt/short\04`:              `/mnt/short\04`,
		`/mnt/trailing\`:             `/mnt/trailing\`,
		`/mnt/end\040`:               "/mnt/end ",
		`/mnt/mid\040x`:              "/mnt/mid x",
		`/mnt/not-octal\9zz/more`:    `/mnt/not-octal\9zz/more`,
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

// testRoots is a private tree of minipod's roots.
func testRoots(t *testing.T) state.Roots {
	t.Helper()
	dir := t.TempDir()
	r := state.Roots{Run: filepath.Join(dir, "run"), Data: filepath.Join(dir, "data"), Logs: filepath.Join(dir, "logs"), Images: filepath.Join(dir, "images")}
	for _, d := range []string{r.Run, r.Data, r.Logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLogDirsWithoutUID: a pod whose monitor died before recording its
// UID still finds its own log directories, in any namespace, and never
// another pod's whose name starts like its own.
func TestLogDirsWithoutUID(t *testing.T) {
	r := testRoots(t)
	own := []string{filepath.Join(r.Logs, "default_web_uid1"), filepath.Join(r.Logs, "kube-system_web_uid3")}
	others := []string{filepath.Join(r.Logs, "default_web-2_uid2"), filepath.Join(r.Logs, "default_webx_uid4"), filepath.Join(r.Logs, "default_a-web_uid5")}
	mkdirs(t, append(own, others...)...)

	got := logDirs(r, &state.Pod{Name: "web"})
	slices.Sort(got)
	if !slices.Equal(got, own) {
		t.Errorf("logDirs without a UID = %q, want %q", got, own)
	}
	st := &state.Pod{Name: "web", Namespace: "default", UID: "uid1"}
	if got := logDirs(r, st); !slices.Equal(got, []string{logs.PodDir(r.Logs, "default", "web", "uid1")}) {
		t.Errorf("logDirs with a UID = %q, want only the recorded one", got)
	}
}

// TestRemoveDataThenRun: the data and logs go first and the run
// directory (how `down` finds a pod) stays until removeRun; another pod's
// files are never touched.
func TestRemoveDataThenRun(t *testing.T) {
	r := testRoots(t)
	st := &state.Pod{Name: "web", Namespace: "default", UID: "u1"}
	layer := filepath.Join(r.PodData("web"), "containers", "a", "upper", "etc")
	logDir := filepath.Join(logs.PodDir(r.Logs, "default", "web", "u1"), "a")
	otherData := filepath.Join(r.PodData("web2"), "containers")
	otherLog := logs.PodDir(r.Logs, "default", "web2", "u2")
	mkdirs(t, layer, logDir, r.PodRun("web"), otherData, otherLog, r.PodRun("web2"))
	if err := os.WriteFile(filepath.Join(layer, "hosts"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := removeData(r, st); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{r.PodData("web"), logs.PodDir(r.Logs, "default", "web", "u1")} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s still there after removeData (%v)", gone, err)
		}
	}
	if _, err := os.Stat(r.PodRun("web")); err != nil {
		t.Errorf("the run directory went before removeRun: %v", err)
	}
	if err := removeRun(r, st); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(r.PodRun("web")); !os.IsNotExist(err) {
		t.Errorf("run directory still there after removeRun (%v)", err)
	}
	for _, kept := range []string{otherData, otherLog, r.PodRun("web2")} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("another pod's %s went: %v", kept, err)
		}
	}
}

// TestDeadWithoutState: a pod that was never recorded has nothing to
// remove, and removing it is no error (down of a name twice).
func TestDeadWithoutState(t *testing.T) {
	r := testRoots(t)
	if err := Dead(r, "ghost", 0); err != nil {
		t.Errorf("Dead of a pod with no state: %v", err)
	}
}

// mounted reports whether path is a mount point in this mount namespace.
func mounted(t *testing.T, path string) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 4 && unescapeMount(f[4]) == path {
			return true
		}
	}
	return false
}

// TestUnmountUnder: every mount at or below the directory goes, also when
// mountinfo escapes its path (a space); a sibling whose name only starts
// like the directory's stays.
func TestUnmountUnder(t *testing.T) {
	testutil.RequiresRoot(t)
	base := t.TempDir()
	dir := filepath.Join(base, "pod dir")
	nested := filepath.Join(dir, "nested")
	sibling := filepath.Join(base, "pod dir2")
	mkdirs(t, dir, sibling)
	t.Cleanup(func() {
		for _, p := range []string{nested, dir, sibling} {
			_ = unix.Unmount(p, unix.MNT_DETACH)
		}
	})
	for _, p := range []string{dir, nested, sibling} {
		if p == nested {
			mkdirs(t, nested)
		}
		if err := unix.Mount("tmpfs", p, "tmpfs", 0, "size=64k"); err != nil {
			t.Fatalf("mount tmpfs on %s: %v", p, err)
		}
	}
	if !mounted(t, nested) {
		t.Fatalf("%q is not listed as a mount point: the test's mountinfo reading is wrong", nested)
	}

	unmountUnder(dir)
	for _, p := range []string{dir, nested} {
		if mounted(t, p) {
			t.Errorf("%q is still mounted after unmountUnder(%q)", p, dir)
		}
	}
	if !mounted(t, sibling) {
		t.Errorf("the sibling %q was unmounted too", sibling)
	}
}
