package test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestConcurrentUpSameName: of two `up` of one pod name at once, exactly one
// wins; the other says the pod already exists.
func TestConcurrentUpSameName(t *testing.T) {
	root(t)
	name := podName("race")
	path := writeManifest(t, name, tmpl(twoIdle, name, "SHARE", "false"))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })

	var wg sync.WaitGroup
	res := make([]result, 2)
	start := make(chan struct{})
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res[i] = mp(t, "up", "-d", path)
		}()
	}
	close(start)
	wg.Wait()
	ok, failed := 0, 0
	for _, r := range res {
		switch {
		case r.code == 0:
			ok++
		case strings.Contains(r.stderr, "already exists"):
			failed++
		default:
			t.Errorf("unexpected result: %s", r)
		}
	}
	if ok != 1 || failed != 1 {
		t.Fatalf("want one success and one \"already exists\", got:\n%s\n%s", res[0], res[1])
	}
	if row := getRow(t, name); row["STATUS"] != "Running" || row["READY"] != "2/2" {
		t.Errorf("the winner's pod: %v, want 2/2 Running", row)
	}
}

// TestDownAfterMonitorKilled: when the pod's monitor died (SIGKILL), `down`
// still stops the container processes (and pause, which lives on only
// with a shared PID namespace) and removes every file; a second `down` is
// fine.
func TestDownAfterMonitorKilled(t *testing.T) {
	root(t)
	for _, share := range []bool{false, true} {
		t.Run(fmt.Sprint("shareProcessNamespace ", share), func(t *testing.T) {
			t.Parallel()
			downAfterMonitorKilled(t, share)
		})
	}
}

func downAfterMonitorKilled(t *testing.T, share bool) {
	name := podName("orphan")
	path := writeManifest(t, name, tmpl(twoIdle, name, "SHARE", fmt.Sprint(share)))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { mp(t, "down", name) }) // in case the test fails early
	mustMP(t, "up", "-d", path)

	procs := podProcs(name)
	want, what := 3, "monitor and 2 containers"
	if share {
		want, what = 4, "monitor, pause and 2 containers"
	}
	if n := len(slices.DeleteFunc(slices.Clone(procs), func(p procID) bool { return p.exists != nil })); n != want {
		t.Fatalf("want %s in state.json, got %v", what, procs)
	}
	if len(procs) == want {
		t.Fatalf("want the pod's veth, lease and cgroups beside its processes, got %v", procs)
	}
	monitor := procs[0]
	if monitor.what != "monitor" {
		t.Fatalf("no monitor pid in state.json: %v", procs)
	}
	if err := syscall.Kill(monitor.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the monitor to die", func() bool { return !monitor.alive() })

	r := mp(t, "down", name)
	if r.code != 0 {
		t.Errorf("down after the monitor died: %s", r)
	}
	checkGone(t, name, before, procs)

	r = mp(t, "down", name)
	if r.code == 0 || !strings.Contains(r.stderr, `pods "`+name+`" not found`) {
		t.Errorf("second down: want an error naming the pod, got %s", r)
	}
	if r = mp(t, "down", "--ignore-not-found", name); r.code != 0 || r.stderr != "" {
		t.Errorf("down --ignore-not-found of a deleted pod: %s", r)
	}
}

// TestDownNotFound: down of a pod that never existed fails naming it, as
// kubectl delete does, and still deletes the others it names;
// --ignore-not-found makes it no error; down -f FILE removes the pods of a
// manifest.
func TestDownNotFound(t *testing.T) {
	root(t)
	missing := podName("never-was")
	r := mp(t, "down", missing)
	if r.code == 0 || !strings.Contains(r.stderr, `pods "`+missing+`" not found`) {
		t.Errorf("down of a missing pod: %s", r)
	}
	if r = mp(t, "down", "--ignore-not-found", missing); r.code != 0 || r.stderr != "" {
		t.Errorf("down --ignore-not-found of a missing pod: %s", r)
	}
	other := podName("deleted-anyway")
	upPodNoCleanup := tmpl(twoIdle, other, "SHARE", "false")
	mustMP(t, "up", "-d", writeManifest(t, other, upPodNoCleanup))
	t.Cleanup(func() { mp(t, "down", "--ignore-not-found", other) })
	r = mp(t, "down", missing, other)
	if r.code == 0 || !strings.Contains(r.stdout, `pod "`+other+`" deleted`) {
		t.Errorf("down of a missing and an existing pod: %s", r)
	}
	if g := mp(t, "get", other); g.code == 0 {
		t.Errorf("the existing pod was not deleted: %s", g)
	}

	name := podName("downf")
	path := writeManifest(t, name, tmpl(twoIdle, name, "SHARE", "false"))
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { mp(t, "down", name) })
	mustMP(t, "up", "-d", path)
	procs := podProcs(name)
	r = mp(t, "down", "-f", path)
	if r.code != 0 || !strings.Contains(r.stdout, name) {
		t.Errorf("down -f: %s", r)
	}
	checkGone(t, name, before, procs)
}
