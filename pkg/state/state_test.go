package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"golang.org/x/sys/unix"
)

func testRoots(t *testing.T) Roots {
	d := t.TempDir()
	r := Roots{Run: d + "/run", Data: d + "/data", Logs: d + "/logs", Images: d + "/images"}
	t.Cleanup(func() { unmountRun(t, r.Run) }) // before the directory goes
	return r
}

// unmountRun removes the tmpfs SecureRun may have mounted on a test's run
// root.
func unmountRun(t *testing.T, run string) {
	var self, parent unix.Stat_t
	if unix.Stat(run, &self) != nil || unix.Stat(filepath.Dir(run), &parent) != nil || self.Dev == parent.Dev {
		return
	}
	if err := unix.Unmount(run, unix.MNT_DETACH); err != nil {
		t.Errorf("unmount %s: %v", run, err)
	}
}

// mustCreate makes a pod directory and lets its lock go.
func mustCreate(t *testing.T, r Roots, pod string) {
	t.Helper()
	f, err := r.Create(pod)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestCreateIsExclusive(t *testing.T) {
	r := testRoots(t)
	f, err := r.Create("p1")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := r.Create("p1"); !errors.Is(err, ErrExist) {
		t.Fatalf("second Create = %v, want ErrExist", err)
	}
	// Create hands back the lock, held.
	if _, err := r.Lock("p1"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock after Create = %v, want ErrLocked", err)
	}
	for _, bad := range []string{"../x", "a/b", "", "UPPER", "x_y"} {
		if _, err := r.Create(bad); err == nil {
			t.Errorf("Create(%q) accepted", bad)
		}
	}
}

// A directory whose creator died (no state, lock free) is reclaimed once
// it is not new; one whose lock is held, or that has state, is not; and a
// reclaimer whose directory was made again meanwhile gets nothing (checked
// by inode under the lock; not interleaved here).
func TestReclaim(t *testing.T) {
	r := testRoots(t)
	f, err := r.Create("p1")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(r.PodRun("p1"), old, old); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Reclaim("p1"); ok {
		t.Error("reclaimed while its lock is held")
	}
	f.Close()
	lock, ok := r.Reclaim("p1")
	if !ok || lock == nil {
		t.Fatal("not reclaimed: lock free, no state, a minute old")
	}
	lock.Close()
	if err := r.Save(&Pod{Name: "p1"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(r.PodRun("p1"), old, old); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Reclaim("p1"); ok || r.Stale("p1") {
		t.Error("reclaimable although it has state")
	}
	mustCreate(t, r, "p2")
	if _, ok := r.Reclaim("p2"); ok {
		t.Error("reclaimed although just made")
	}
}

func TestSaveLoadList(t *testing.T) {
	r := testRoots(t)
	if _, err := r.Load("nope"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Load missing = %v", err)
	}
	mustCreate(t, r, "p1")
	if p, err := r.Load("p1"); err != nil || p.Phase != "Pending" {
		t.Fatalf("Load before save = %+v, %v", p, err)
	}
	p := &Pod{Name: "p1", Phase: "Running", Containers: []Container{{Name: "a"}}}
	p.AddEvent("Normal", "Started", "a", "Started container a")
	if err := r.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := r.Load("p1")
	if err != nil || got.Phase != "Running" || len(got.Events) != 1 {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if c, ok := got.Find("a"); !ok || c.Name != "a" {
		t.Error("Find(a) failed")
	}
	names, err := r.List()
	if err != nil || len(names) != 1 || names[0] != "p1" {
		t.Fatalf("List = %v, %v", names, err)
	}
	if err := r.Remove("p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.PodRun("p1")); !os.IsNotExist(err) {
		t.Error("run dir survived Remove")
	}
}

func TestEventsAreBounded(t *testing.T) {
	p := &Pod{}
	for i := 0; i < 3*maxEvents; i++ {
		p.AddEvent("Normal", "x", "", "m")
	}
	if len(p.Events) != maxEvents {
		t.Fatalf("%d events kept, want %d", len(p.Events), maxEvents)
	}
}

func TestLockIsExclusive(t *testing.T) {
	r := testRoots(t)
	mustCreate(t, r, "p1")
	f, err := r.Lock("p1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Lock("p1"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock = %v, want ErrLocked", err)
	}
	f.Close()
	g, err := r.Lock("p1")
	if err != nil {
		t.Fatalf("Lock after release = %v", err)
	}
	g.Close()
}

func TestProcIdentity(t *testing.T) {
	me := Identify(os.Getpid())
	if !me.Alive() || me.Start == 0 {
		t.Fatalf("self not alive: %+v", me)
	}
	if (Proc{PID: os.Getpid(), Start: me.Start + 1}).Alive() {
		t.Error("a different start time must not count as the same process")
	}
}

// TestProcSignal: a signal reaches the process the record names, and
// nothing else: not a process with its PID but another start time, not a
// zombie, not a PID that is gone.
func TestProcSignal(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	p := Identify(cmd.Process.Pid)
	if err := (Proc{PID: p.PID, Start: p.Start + 1}).Signal(unix.SIGKILL); !errors.Is(err, unix.ESRCH) {
		t.Errorf("Signal with another start time = %v, want ESRCH", err)
	}
	if !p.Alive() {
		t.Fatal("a signal for another start time reached the process")
	}
	if err := p.Signal(unix.SIGTERM); err != nil {
		t.Fatalf("Signal(SIGTERM) = %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); p.Alive() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if err := p.Signal(unix.SIGTERM); !errors.Is(err, unix.ESRCH) {
		t.Errorf("Signal to a zombie = %v, want ESRCH", err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("sleep ended with %v, want killed by SIGTERM", err)
	}
	if err := p.Signal(unix.SIGTERM); !errors.Is(err, unix.ESRCH) {
		t.Errorf("Signal to a reaped process = %v, want ESRCH", err)
	}
	if err := (Proc{}).Signal(unix.SIGTERM); !errors.Is(err, unix.ESRCH) {
		t.Errorf("Signal to no process = %v, want ESRCH", err)
	}
}

// TestManifestRoundTrip: the stored pod decodes to what was saved (the
// quick path), and a YAML manifest of an older minipod still loads.
func TestManifestRoundTrip(t *testing.T) {
	r := testRoots(t)
	mustCreate(t, r, "web")
	m, _, err := podspec.Parse([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {a: b}}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    ports: [{name: http, containerPort: 80}]\n    resources: {limits: {memory: 64Mi}}\n    readinessProbe: {httpGet: {port: http}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := m.Pods[0]
	if err := r.SaveManifest(want); err != nil {
		t.Fatal(err)
	}
	got, err := r.LoadManifest("web")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v (%v), want %+v", got, err, want)
	}
	// Saved with leanjson: the bytes encoding/json would write.
	stored, err := os.ReadFile(r.Manifest("web"))
	if std, _ := json.Marshal(want); err != nil || !bytes.Equal(stored, std) {
		t.Errorf("stored manifest\n%s\n(%v), encoding/json writes\n%s", stored, err, std)
	}
	old := "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: busybox}]}\n"
	if err := os.WriteFile(r.Manifest("web"), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := r.LoadManifest("web"); err != nil || p.Spec.Containers[0].ImagePullPolicy == "" {
		t.Errorf("YAML manifest: %+v %v (want it parsed and defaulted)", p, err)
	}
}

// TestAlive: the lease store's question, answered from the record's UID
// alone; whatever cannot be read counts as alive (its leases stay).
func TestAlive(t *testing.T) {
	r := testRoots(t)
	if r.Alive("gone", "") || r.Alive("../x", "") {
		t.Error("a pod without a directory, or an invalid name, is alive")
	}
	mustCreate(t, r, "p1")
	if !r.Alive("p1", "u1") {
		t.Error("a pod being created (no record yet) is not alive")
	}
	if err := r.Save(&Pod{Name: "p1", UID: "u1", Phase: "Running"}); err != nil {
		t.Fatal(err)
	}
	for uid, want := range map[string]bool{"u1": true, "": true, "u2": false} {
		if got := r.Alive("p1", uid); got != want {
			t.Errorf("Alive(p1, %q) = %v, want %v", uid, got, want)
		}
	}
	if err := os.WriteFile(r.StateFile("p1"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !r.Alive("p1", "u2") {
		t.Error("a pod with a damaged record is not alive")
	}
}

// TestLoadBinding: the binding read alone is the whole record's, and a pod
// without a record or with a damaged one has none.
func TestLoadBinding(t *testing.T) {
	r := testRoots(t)
	mustCreate(t, r, "p1")
	if _, err := r.LoadBinding("p1"); err == nil {
		t.Error("a pod without a record has a binding")
	}
	p := &Pod{Name: "p1", UID: "u1", Phase: PhaseRunning, Bound: true,
		Requests:   map[string]int64{"cpu": 250, "memory": 64 << 20, "pods": 1},
		Containers: []Container{{Name: "a", Requests: map[string]string{"cpu": "999"}}}}
	p.AddEvent("Normal", "Started", "a", "Started container a")
	if err := r.Save(p); err != nil {
		t.Fatal(err)
	}
	full, err := r.Load("p1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.LoadBinding("p1")
	if err != nil {
		t.Fatal(err)
	}
	want := Binding{Phase: full.Phase, Bound: full.Bound, Requests: full.Requests}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("binding %+v, want the record's %+v", b, want)
	}
	if err := os.WriteFile(r.StateFile("p1"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.LoadBinding("p1"); err == nil {
		t.Error("a damaged record has a binding")
	}
	if _, err := r.LoadBinding("../x"); err == nil {
		t.Error("an invalid name has a binding")
	}
}

// TestBindingFile: a pod's binding file, once its monitor wrote one, is
// what LoadBinding reads, not the record beside it (which another pod's
// start would take 40-100 µs to decode); without one, the record is read.
func TestBindingFile(t *testing.T) {
	r := testRoots(t)
	mustCreate(t, r, "p1")
	p := &Pod{Name: "p1", UID: "u1", Phase: PhaseRunning, Bound: true, Requests: map[string]int64{"cpu": 250, "pods": 1}}
	if err := r.Save(p); err != nil {
		t.Fatal(err)
	}
	if b, err := r.LoadBinding("p1"); err != nil || !reflect.DeepEqual(b, BindingOf(p)) {
		t.Fatalf("without a binding file: %+v, %v; want the record's %+v", b, err, BindingOf(p))
	}
	done := *p
	done.Phase = PhaseSucceeded
	data, err := AppendBinding(nil, BindingOf(&done))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SaveBinding("p1", data); err != nil {
		t.Fatal(err)
	}
	if b, err := r.LoadBinding("p1"); err != nil || !reflect.DeepEqual(b, BindingOf(&done)) {
		t.Errorf("with a binding file: %+v, %v; want the file's %+v", b, err, BindingOf(&done))
	}
	if fi, err := os.Stat(r.BindingFile("p1")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("binding file: %v, %v; want mode 0600", fi, err)
	}
}
