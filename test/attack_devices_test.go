package test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAttackDeviceNodes: with CAP_MKNOD and no device cgroup, a container
// made a node for the host's disk and read it, and one for /dev/kmsg
// (c 1:11) and opened it. mknod may still succeed (runc allows it), but
// opening such a node must be refused (a device cgroup allowlist: EPERM).
func TestAttackDeviceNodes(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-dev")
	upPod(t, name, attackPodText(name, idleCommand, "", ""))
	disk := hostBlockDevice(t)
	for _, c := range []struct {
		node, kind, dev, mode string
	}{
		{"/tmp/disk", "b", disk, "r"}, // reads 4 KiB at most, never writes
		{"/tmp/kmsg", "c", "1:11", "w"},
		{"/tmp/kmsg", "c", "1:11", "r"},
	} {
		maj, min, _ := strings.Cut(c.dev, ":")
		mk := mp(t, "exec", name, "--", "sh", "-c", fmt.Sprintf("[ -e %[1]s ] || mknod %[1]s %s %s %s", c.node, c.kind, maj, min))
		if mk.code != 0 {
			if !strings.Contains(mk.stderr, "not permitted") {
				t.Errorf("mknod %s %s %s failed, but not for lack of permission: %s", c.node, c.kind, c.dev, mk)
			}
			continue // refusing mknod is safe too
		}
		r := mp(t, "exec", name, "--", "/attack", "open", c.node, c.mode, "4096")
		what := fmt.Sprintf("open %s (%s %s, the host's) for %s", c.node, c.kind, c.dev, map[string]string{"r": "reading", "w": "writing"}[c.mode])
		switch {
		case r.code == 0:
			t.Errorf("%s worked in the container: %s", what, r)
		case !strings.Contains(r.stdout, "EPERM") && !strings.Contains(r.stdout, "EACCES"):
			t.Errorf("%s failed, but not as a denied device: %s", what, r)
		}
	}
}

// hostBlockDevice returns MAJOR:MINOR of a block device that the host's
// root can open: the one holding the root file system if it can (some
// sandboxes forbid even that), else the first other one that opens (an
// idle loop device reads as empty, but opening it is what is guarded).
// The test opens each through a node of its own, as the container will.
func hostBlockDevice(t *testing.T) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/", &st); err != nil {
		t.Fatal(err)
	}
	devs := []string{fmt.Sprintf("%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev))}
	ents, _ := os.ReadDir("/sys/dev/block")
	for _, e := range ents {
		devs = append(devs, e.Name())
	}
	dir := t.TempDir()
	for i, d := range devs {
		var maj, min uint32
		if _, err := fmt.Sscanf(d, "%d:%d", &maj, &min); err != nil {
			continue
		}
		node := filepath.Join(dir, strconv.Itoa(i))
		if unix.Mknod(node, unix.S_IFBLK|0o600, int(unix.Mkdev(maj, min))) != nil {
			continue
		}
		if f, err := os.Open(node); err == nil {
			f.Close()
			return d
		}
	}
	t.Fatalf("the host can open none of the block devices %v: nothing to aim the attack at", devs)
	return ""
}
