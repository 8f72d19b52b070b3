package test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestWaitingMonitorEnds: `up` starts the first pod's monitor before it
// has checked the manifest. A manifest that fails its checks, a pod that
// cannot be created after an earlier one was, and an `up` killed while
// its monitor waits must not leave that monitor behind, nor anything
// else.
func TestWaitingMonitorEnds(t *testing.T) {
	root(t)
	name := podName("waiting")
	before := testutil.Snapshot(t, exe)

	bad := writeManifest(t, name, strings.Replace(tmpl(twoIdle, name, "SHARE", "false"),
		"- name: a", "- name: Not_A_Name", 1))
	tag := envTag(t)
	r := mpWith(t, runOpts{env: []string{tag}}, "up", "-d", bad)
	if r.code == 0 {
		mp(t, "down", name)
		t.Fatalf("up of a manifest with an invalid container name succeeded: %s", r)
	}
	if pids := tagged(tag); len(pids) > 0 {
		t.Errorf("a failed up returned with its monitor still there: %v\n%s", pids, r)
	}

	// Two pods, the second already there: the first is created, the
	// second's monitor is not handed a pod.
	other := podName("waiting-taken")
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", name, other) })
	upPod(t, other, tmpl(twoIdle, other, "SHARE", "false"))
	both := writeManifest(t, name, tmpl(twoIdle, name, "SHARE", "false")+"---\n"+tmpl(twoIdle, other, "SHARE", "false"))
	tag = envTag(t)
	r = mpWith(t, runOpts{env: []string{tag}}, "up", "-d", both)
	if r.code == 0 || !strings.Contains(r.stderr, other) {
		t.Errorf("up of a pod that exists: want a failure naming %s: %s", other, r)
	}
	st, err := readState(name)
	if err != nil {
		t.Fatalf("the first pod of the manifest was not created: %v\n%s", err, r)
	}
	if pids := tagged(tag); len(pids) != 1 || pids[0] != st.Monitor.PID {
		t.Errorf("processes of that up: %v, want only the first pod's monitor %d", pids, st.Monitor.PID)
	}
	if cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(st.Monitor.PID) + "/cmdline"); !bytes.HasSuffix(cmd, []byte(" monitor "+name+"\x00")) {
		t.Errorf("the monitor's command line does not end in its pod's name: %q", cmd)
	}
	mustMP(t, "down", name, other)

	// `up` killed while its monitor waits: a manifest padded with 2.5 MB
	// of comments keeps `up` decoding for tens of milliseconds after the
	// fork. The socket's EOF must end the monitor.
	padded := strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 25000) + tmpl(twoIdle, name, "SHARE", "false")
	path := writeManifest(t, name, padded)
	waited := 0
	for i := 0; i < 3; i++ {
		tag = envTag(t)
		cmd := exec.Command(exe, "up", "-d", path)
		cmd.Env = append(os.Environ(), tag)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !waiting(tag); time.Sleep(time.Millisecond) {
		}
		before := waiting(tag)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		// The kill came before the hand-over if no monitor names the pod.
		if before && !namesPod(tag, name) {
			waited++
		}
		mp(t, "down", "--ignore-not-found", name) // a monitor handed the pod
		waitFor(t, 5*time.Second, "the monitor of a killed up to end", func() bool {
			return len(tagged(tag)) == 0
		})
	}
	if waited == 0 {
		t.Error("no kill came while the monitor waited for its pod: the test did not test")
	}
	// A killed `up` can leave a directory nobody holds (state.Abandoned);
	// `get` removes it.
	mp(t, "get")
	checkGone(t, name, before, nil)
	if _, err := os.Stat(filepath.Join("/run/minipod", other)); err == nil {
		t.Errorf("/run/minipod/%s is still there", other)
	}
}

// waiting tells whether a monitor started with tag still waits for its
// pod (its arguments are not yet the pod's name).
func waiting(tag string) bool {
	for _, pid := range tagged(tag) {
		if c, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); bytes.Contains(c, []byte("monitor\x00-")) {
			return true
		}
	}
	return false
}

// namesPod tells whether a process started with tag is the monitor of
// pod (its title names it).
func namesPod(tag, pod string) bool {
	for _, pid := range tagged(tag) {
		if c, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); bytes.HasSuffix(c, []byte(" monitor "+pod+"\x00")) {
			return true
		}
	}
	return false
}

// envTag is an environment entry unique to one invocation; the monitor
// `up` starts inherits it.
func envTag(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "MINIPOD_TEST_TAG=" + hex.EncodeToString(b)
}

// tagged lists the live (not zombie) processes whose environment holds
// tag.
func tagged(tag string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), []byte("\x00"+tag+"\x00")) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}
