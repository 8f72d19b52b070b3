package cgroups

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// v1Host is the v1 driver, for tests that need the real v1 controllers.
func v1Host(t *testing.T) Driver {
	t.Helper()
	testutil.RequiresRoot(t)
	roots, err := v1Roots()
	if err != nil {
		t.Skipf("no cgroup v1 hierarchies on this host: %v", err)
	}
	for _, c := range []string{"memory", "cpu", "cpuacct", "pids"} {
		if roots[c] == "" {
			t.Skipf("no cgroup v1 %s hierarchy on this host", c)
		}
	}
	return Driver{}
}

const mib = 1 << 20

// TestOOMKillsV1: a process that outgrows its cgroup's 20 MiB is killed by
// the OOM killer and OOMKills counts it; a process killed with a plain
// SIGKILL exits the same way, but its cgroup counts nothing.
func TestOOMKillsV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	res := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](20 * mib)}}
	hog := newChild(t, d, pod, "hog", res)
	quiet := newChild(t, d, pod, "quiet", res)
	if got := readFile(t, hog["memory"], "memory.limit_in_bytes"); got != strconv.Itoa(20*mib) {
		t.Errorf("memory.limit_in_bytes = %s", got)
	}
	if swapAccountingV1() {
		if got := readFile(t, hog["memory"], "memory.memsw.limit_in_bytes"); got != strconv.Itoa(20*mib) {
			t.Errorf("memory.memsw.limit_in_bytes = %s, want the memory limit (no swap)", got)
		}
	}
	before := oomKills(t, hog)
	var out strings.Builder
	err := startHelper(t, hog, &out, "alloc").Wait()
	if !killedBySIGKILL(err) {
		t.Fatalf("the 100 MiB allocation was not killed: %v: %s", err, out.String())
	}
	after := oomKills(t, hog)
	t.Logf("OOMKills of the hog: %d before, %d after", before, after)
	if after <= before || strings.Contains(out.String(), "allocated") {
		t.Errorf("OOMKills = %d before, %d after an OOM kill; output %q", before, after, out.String())
	}

	before = oomKills(t, quiet)
	sleeper := startIn(t, quiet, &out, "exec sleep 60")
	reapAtEnd(t, sleeper)
	if err := sleeper.Process.Signal(unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := sleeper.Wait(); !killedBySIGKILL(err) {
		t.Fatalf("sleep: %v", err)
	}
	if after := oomKills(t, quiet); after != before {
		t.Errorf("a plain SIGKILL counted as an OOM kill: %d before, %d after", before, after)
	}
}

func oomKills(t *testing.T, d Dirs) uint64 {
	t.Helper()
	n, err := OOMKills(d)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCPUQuotaV1: a quota of 10 ms per 100 ms (100m) holds a busy loop to
// about a tenth of a core, measured by the cgroup's own CPU accounting.
func TestCPUQuotaV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	res := &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](102), Quota: ptr[int64](10000), Period: ptr[uint64](100000)}}
	dirs := newChild(t, d, pod, "spin", res)
	for file, want := range map[string]string{"cpu.shares": "102", "cpu.cfs_quota_us": "10000", "cpu.cfs_period_us": "100000"} {
		if got := readFile(t, dirs["cpu"], file); got != want {
			t.Errorf("%s = %s, want %s", file, got, want)
		}
	}
	var out strings.Builder
	startHelper(t, dirs, &out, "spin")
	time.Sleep(200 * time.Millisecond) // past the exec
	a, t0 := usage(t, dirs), time.Now()
	time.Sleep(2 * time.Second)
	b, t1 := usage(t, dirs), time.Now()
	share := float64(b.CPU-a.CPU) / float64(t1.Sub(t0))
	t.Logf("busy loop under a 100m quota used %.1f%% of a core", 100*share)
	if share < 0.05 || share > 0.20 {
		t.Errorf("CPU share %.3f of a core, want about 0.10", share)
	}
	stat, err := flatKeyed(dirs["cpu"], "cpu.stat")
	if err != nil || stat["nr_throttled"] == 0 {
		t.Errorf("the cgroup was never throttled: %v %v", stat, err)
	}
}

func usage(t *testing.T, d Dirs) Usage {
	t.Helper()
	u, err := Stats(d)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestPidsLimitV1: with pids.max 4, a process can fork three children and
// the fourth fork fails.
func TestPidsLimitV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	dirs := newChild(t, d, pod, "forks", &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](4)}})
	if got := readFile(t, dirs["pids"], "pids.max"); got != "4" {
		t.Errorf("pids.max = %s", got)
	}
	// perl forks in-process (a shell may retry failed forks for seconds);
	// every child sleeps, so the count is exact once perl is alone in the
	// cgroup: the thread that forked it may not have left yet. The
	// children close the output pipe, so that the parent's exit ends Wait.
	script := `exec perl -e '
		sub alone { open my $f, "<", $ENV{PIDS} or die "$!"; return <$f> == 1 }
		for (my $i = 0; !alone(); $i++) { die "never alone in the cgroup\n" if $i > 1000; select(undef, undef, undef, 0.01) }
		my $n = 0;
		for (1..8) {
			my $p = fork;
			if (!defined $p) { print "fork failed: $!\n"; last }
			if ($p == 0) { close STDOUT; close STDERR; sleep 30; exit 0 }
			$n++;
		}
		print "started $n\n"'`
	var out strings.Builder
	cmd := startIn(t, dirs, &out, script, "PATH=/usr/bin:/bin", "PIDS="+dirs["pids"]+"/pids.current")
	reapAtEnd(t, cmd)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !strings.Contains(out.String(), "started 3\n") || !strings.Contains(out.String(), "fork failed") {
		t.Errorf("want 3 forks and a failed one under pids.max 4, got:\n%s", out.String())
	}
	if ev, err := keyedValue(dirs["pids"], "pids.events", "max"); err != nil || ev == 0 {
		t.Errorf("pids.events max = %d, %v", ev, err)
	}
}

// TestStatsV1: a process that holds 16 MiB shows in the working set; the
// 8 MiB of file cache it wrote are charged, but, inactive, not part of the
// working set; CPU time accrues.
func TestStatsV1(t *testing.T) {
	d := v1Host(t)
	pod := newPod(t, d)
	dirs := newChild(t, d, pod, "hold", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib)}})
	var out strings.Builder
	startHelper(t, dirs, &out, "hold")
	var u Usage
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if u = usage(t, dirs); u.RSS >= 16*mib && u.Memory-u.RSS >= 8*mib {
			break
		}
	}
	t.Logf("usage: %+v", u)
	if u.RSS < 16*mib || u.WorkingSet < u.RSS || u.Memory-u.WorkingSet < 4*mib || u.Memory > 64*mib {
		t.Errorf("implausible usage of a process holding 16 MiB and 8 MiB of cache under a 64 MiB limit: %+v", u)
	}
	if u.CPU <= 0 || u.CPU > time.Minute {
		t.Errorf("implausible CPU time %v", u.CPU)
	}
	// The pod's cgroup accounts for its containers (v1: total_* stats).
	if p := usage(t, mustResolve(t, d, pod)); p.RSS < 16*mib || p.WorkingSet < 16*mib || p.CPU < u.CPU {
		t.Errorf("pod usage %+v does not include its container's %+v", p, u)
	}
}

func mustResolve(t *testing.T, d Driver, path string) Dirs {
	t.Helper()
	dirs, err := d.Resolve(path)
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}
