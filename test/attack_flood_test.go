package test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAttackOutputFloodMonitorMemory: a container writes 600 MB of output
// as fast as it can. Copying and rotating it makes garbage off the
// monitor's event loop; the monitor, which runs its own collector, must
// collect it as it goes instead of growing towards its 64 MiB backstop
// (it grew about 1 MB per 100 MB copied before the copiers asked for
// collections).
func TestAttackOutputFloodMonitorMemory(t *testing.T) {
	root(t)
	name := podName("atk-flood")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "sleep 1; yes 0123456789012345678901234567890123456789 | head -c 600000000; echo flood-done; exec sleep 3600"]
`, name))
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	before := procStatusKB(t, st.Monitor.PID, "RssAnon")
	// 600 MB took 45 s on a quiet 2-core machine and over 120 s in CI
	// beside the tests running in parallel; the size stays, as less would
	// not show the growth this guards against (5 MB per 600 MB).
	waitFor(t, 300*time.Second, "the flood to end", func() bool {
		return strings.Contains(mp(t, "logs", name, "--tail", "1").stdout, "flood-done")
	})
	after := procStatusKB(t, st.Monitor.PID, "RssAnon")
	t.Logf("monitor anonymous memory %d kB before the flood, %d kB after", before, after)
	if after-before > 3<<10 {
		t.Errorf("the monitor grew by %d kB copying 600 MB of output", after-before)
	}
}

// procStatusKB reads a kB field of /proc/PID/status.
func procStatusKB(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(v)
			if n, err := strconv.Atoi(f[0]); err == nil {
				return n
			}
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}
