package test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestMonitorWithoutItsProgram: where minipod-monitor is not installed
// beside minipod, the pod's monitor runs from minipod's own binary (the
// same role), and the pod runs and goes as usual.
func TestMonitorWithoutItsProgram(t *testing.T) {
	root(t)
	dir := t.TempDir()
	for _, prog := range []string{"minipod", "minipod-pause", "minipod-init", "minipod-pull", "minipod-probe"} {
		copyProgram(t, filepath.Join(filepath.Dir(exe), prog), filepath.Join(dir, prog))
	}
	bin := filepath.Join(dir, "minipod")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("minipod %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	name := podName("no-monprog")
	path := writeManifest(t, name, tmpl(twoIdle, name, "SHARE", "false"))
	run("up", "-d", path)
	defer func() { _, _ = exec.Command(bin, "down", "--ignore-not-found", name).CombinedOutput() }()
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	var got syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(st.Monitor.PID)+"/exe", &got); err != nil {
		t.Fatal(err)
	}
	if want := fileID(t, bin); want.dev != uint64(got.Dev) || want.ino != got.Ino {
		t.Errorf("the monitor runs %d:%d, not minipod (%d:%d)", got.Dev, got.Ino, want.dev, want.ino)
	}
	if out := run("exec", name, "-c", "a", "--", "echo", "ok"); out != "ok\n" {
		t.Errorf("exec: %q", out)
	}
	run("down", name)
	waitFor(t, 10*time.Second, "the monitor to end", func() bool {
		return syscall.Kill(st.Monitor.PID, 0) != nil
	})
}

// copyProgram copies an executable (mode 0755, root's, as installed).
func copyProgram(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
