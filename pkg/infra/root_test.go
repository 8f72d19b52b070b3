package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/ns"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// TestPauseHasEmptyRoot: /proc/PID/root and cwd of pause (PID 1 of a pod
// that shares its PID namespace) lead to an empty read-only directory,
// never to the host's files.
func TestPauseHasEmptyRoot(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pid, life, err := Start(exe, "root-test", Options{SharePID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		life.Close()
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, 0, nil)
	}()
	for _, link := range []string{"root", "cwd"} {
		dir := filepath.Join("/proc", itoa(pid), link)
		ents, err := os.ReadDir(dir)
		if err != nil || len(ents) != 0 {
			t.Errorf("%s holds %d entries (%v), want an empty directory", dir, len(ents), err)
		}
		if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o600); err == nil {
			t.Errorf("wrote into %s", dir)
		}
	}
	if _, err := os.Stat(filepath.Join("/proc", itoa(pid), "root", "etc")); err == nil {
		t.Error("pause's root has an /etc: it is not its own")
	}
}

// TestPauseSetsSysctls: the pod's sysctls are set in its own network and
// IPC namespaces, not the node's; a name that leaves /proc/sys is refused.
func TestPauseSetsSysctls(t *testing.T) {
	testutil.RequiresRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	host, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Sysctls: map[string]string{"net.ipv4.ip_unprivileged_port_start": "77", "kernel.shm_rmid_forced": "1"}}
	pid, life, err := Start(exe, "sysctl-test", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		life.Close()
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, 0, nil)
	}()
	set, err := ns.Open(pid, "net", "ipc")
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	err = set.Do(func() error {
		for file, want := range map[string]string{"net/ipv4/ip_unprivileged_port_start": "77", "kernel/shm_rmid_forced": "1"} {
			got, err := os.ReadFile(filepath.Join("/proc/sys", file))
			if err != nil || strings.TrimSpace(string(got)) != want {
				t.Errorf("%s in the pod = %q (%v), want %s", file, got, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); string(now) != string(host) {
		t.Errorf("the node's value changed: %q -> %q", host, now)
	}
	if _, _, err := Start(exe, "sysctl-bad", Options{Sysctls: map[string]string{"../../etc/x": "1"}}); err == nil {
		t.Error("a sysctl name leaving /proc/sys was written")
	}
}
