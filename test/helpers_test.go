package test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/testutil"
	corev1 "k8s.io/api/core/v1"
)

// cmdTimeout bounds every single minipod invocation.
const cmdTimeout = 90 * time.Second

// result is what one minipod invocation did.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r result) String() string {
	return "minipod " + strings.Join(r.args, " ") + " → exit " + strconv.Itoa(r.code) +
		"\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// runOpts tunes one invocation.
type runOpts struct {
	stdin string
	env   []string
}

// mp runs minipod with args and returns what it did.
func mp(t testing.TB, args ...string) result {
	t.Helper()
	return mpWith(t, runOpts{}, args...)
}

func mpWith(t testing.TB, o runOpts, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), o.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(o.stdin)
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("minipod %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("minipod %s: timed out after %v\n%s", strings.Join(args, " "), cmdTimeout, r)
	}
	return r
}

// mustMP runs minipod and fails the test unless it exits 0; it returns stdout.
func mustMP(t testing.TB, args ...string) string {
	t.Helper()
	r := mp(t, args...)
	if r.code != 0 {
		t.Fatalf("unexpected failure: %s", r)
	}
	return r.stdout
}

// suitePods is every pod name this test binary used, so that the leak check
// of one test can tell apart what belongs to another test's pod.
var suitePods sync.Map

// podName returns a fresh pod name: base plus random hex.
func podName(base string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := base + "-" + hex.EncodeToString(b)
	suitePods.Store(name, true)
	return name
}

// fixture reads test/testdata/file and fills it in with tmpl.
func fixture(t testing.TB, file, name string, vars ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl(string(b), name, vars...)
}

// tmpl substitutes {{NAME}} with name and each {{KEY}} with its value
// (vars is KEY, value, KEY, value...).
func tmpl(s, name string, vars ...string) string {
	s = strings.ReplaceAll(s, "{{NAME}}", name)
	for i := 0; i+1 < len(vars); i += 2 {
		s = strings.ReplaceAll(s, "{{"+vars[i]+"}}", vars[i+1])
	}
	return s
}

// writeManifest writes text as <tmp>/<name>/pod.yaml and returns the path.
func writeManifest(t testing.TB, name, text string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pod.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// upPod runs `up -d` on the manifest text for pod name and requires success.
// It registers the pod's teardown and leak check.
func upPod(t *testing.T, name, text string, opts ...runOpts) {
	t.Helper()
	r := tryUp(t, name, text, opts...)
	if r.code != 0 {
		t.Fatalf("up failed: %s", r)
	}
	if !strings.Contains(r.stdout, "pod/"+name+" created") {
		t.Errorf("up printed %q, want pod/%s created", r.stdout, name)
	}
}

// tryUp runs `up -d` and returns its result whatever it is; the pod (if
// any) is downed and checked for leaks when the test ends.
func tryUp(t *testing.T, name, text string, opts ...runOpts) result {
	t.Helper()
	var o runOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	path := writeManifest(t, name, text)
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() {
		// The manifest's ConfigMaps, Secrets and claims stay on the node
		// after its pod: delete them with it (a refused manifest fails
		// here; the check below finds anything left either way).
		mpWith(t, o, "down", "--ignore-not-found", "-f", path)
		downAndCheck(t, name, before, o)
	})
	return mpWith(t, o, "up", "-d", path)
}

// downAndCheck removes the pod and checks that nothing of it is left.
func downAndCheck(t *testing.T, name string, before testutil.HostSnapshot, o runOpts) {
	t.Helper()
	procs := podProcs(name)
	uid := ""
	if st, err := readState(name); err == nil {
		uid = st.UID
	}
	// The pod may never have been made (a refused manifest).
	r := mpWith(t, o, "down", "--ignore-not-found", name)
	if r.code != 0 {
		t.Errorf("down failed: %s", r)
	}
	checkGone(t, name, before, procs)
	checkCgroupsGone(t, name, uid)
}

// checkCgroupsGone asserts that no cgroup of the pod (minipod/pod<UID>)
// is left in any hierarchy.
func checkCgroupsGone(t *testing.T, name, uid string) {
	t.Helper()
	if uid == "" {
		return // the pod never got a UID recorded: it made no cgroup
	}
	left, _ := filepath.Glob("/sys/fs/cgroup/*/minipod/pod" + uid)
	more, _ := filepath.Glob("/sys/fs/cgroup/minipod/pod" + uid)
	for _, d := range append(left, more...) {
		t.Errorf("pod %s left behind its cgroup %s", name, d)
	}
}

// checkGone asserts that the host holds nothing more of pod name than in
// before, and that the processes procs are dead.
func checkGone(t *testing.T, name string, before testutil.HostSnapshot, procs []procID) {
	t.Helper()
	var leaks []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		leaks = leaks[:0]
		for _, d := range before.Diff(testutil.Snapshot(t, exe)) {
			if ours(d, name) {
				leaks = append(leaks, d)
			}
		}
		for _, p := range procs {
			switch {
			case p.alive() && p.exists != nil:
				leaks = append(leaks, "still there: "+p.String())
			case p.alive():
				leaks = append(leaks, "process still alive: "+p.String())
			}
		}
		if len(leaks) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, l := range leaks {
		t.Errorf("pod %s left behind %s", name, l)
	}
	for _, p := range []string{"/run/minipod/" + name, "/var/lib/minipod/pods/" + name} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("pod %s left behind %s", name, p)
		}
	}
	if m, _ := filepath.Glob("/var/log/pods/*_" + name + "_*"); len(m) > 0 {
		t.Errorf("pod %s left behind its log dir %v", name, m)
	}
}

var nonName = regexp.MustCompile(`[^a-z0-9.-]+`)

// ours tells whether a snapshot difference may belong to pod name: it does
// when it names the pod, or when it names no other pod that exists (of this
// suite or anyone else's: other tests run pods concurrently).
func ours(entry, name string) bool {
	// An image import or pull another test runs names no pod, and is the
	// node's store's, not a pod's (a large one outlasted a leak check), and
	// so is the puller such a `minipod pull` runs.
	if strings.Contains(entry, " image import ") || strings.Contains(entry, " image pull ") ||
		strings.Contains(entry, "/minipod pull ") || pullerOfCLI(entry) {
		return false
	}
	others := map[string]bool{}
	suitePods.Range(func(k, _ any) bool { others[k.(string)] = true; return true })
	for _, dir := range []string{"/run/minipod", "/var/lib/minipod/pods"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			others[e.Name()] = true
		}
	}
	ents, _ := os.ReadDir("/var/log/pods")
	for _, e := range ents {
		if parts := strings.Split(e.Name(), "_"); len(parts) == 3 {
			others[parts[1]] = true
		}
	}
	delete(others, name)
	foreign := false
	for _, tok := range nonName.Split(entry, -1) {
		if names(tok, name) {
			return true
		}
		for o := range others {
			foreign = foreign || names(tok, o)
		}
	}
	return !foreign
}

// pullerOfCLI tells whether a process entry of a snapshot ("PID
// command...") is a puller that a `minipod pull` command started, not a
// pod's monitor.
func pullerOfCLI(entry string) bool {
	pid, cmd, _ := strings.Cut(entry, " ")
	if !strings.HasPrefix(cmd, "minipod-pull") {
		return false
	}
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	// The parent's pid is the 2nd field after the command name.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 2 {
		return false
	}
	parent, _ := os.ReadFile("/proc/" + f[1] + "/cmdline")
	args := strings.Split(string(parent), "\x00")
	return len(args) > 1 && args[1] == "pull"
}

// names tells whether a token of a path names pod: it is the pod's name,
// or the name of an object the test made for it (the pod's name, a dash,
// more), or that with ".json" after it.
func names(tok, pod string) bool {
	tok = strings.TrimSuffix(tok, ".json")
	return tok == pod || strings.HasPrefix(tok, pod+"-")
}

// procID names a process across PID reuse, or (with exists) another of
// the pod's things on the host that must go with it: its veth, cgroup
// directories, address lease.
type procID struct {
	what   string
	pid    int
	start  string
	exists func() bool
}

func (p procID) String() string {
	if p.exists != nil {
		return p.what
	}
	return p.what + " pid " + strconv.Itoa(p.pid)
}

func (p procID) alive() bool {
	if p.exists != nil {
		return p.exists()
	}
	return p.pid > 0 && procStart(p.pid) == p.start
}

// procStart returns field 22 (start time) of /proc/PID/stat, "" if gone.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	if f[0] == "Z" {
		return "" // a zombie is dead for our purpose
	}
	return f[19]
}

// sigkillMonitor kills pod name's monitor with SIGKILL and waits until it
// is gone: what `down` finds after a monitor crashed.
func sigkillMonitor(t *testing.T, name string) {
	t.Helper()
	st, err := readState(name)
	if err != nil || st.Monitor.PID <= 0 {
		t.Fatalf("no monitor pid in the state of %s: %v", name, err)
	}
	monitor := procID{what: "monitor", pid: st.Monitor.PID, start: procStart(st.Monitor.PID)}
	if monitor.start == "" {
		t.Fatalf("the monitor of %s (pid %d) is gone already", name, monitor.pid)
	}
	if err := syscall.Kill(monitor.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the monitor to die", func() bool { return !monitor.alive() })
}

// hasPodRules tells whether table ip minipod holds rules of pod (its
// hostPorts' DNAT rules).
func hasPodRules(pod string) bool {
	rules, err := network.NATRules()
	if err != nil {
		return false
	}
	mark := `comment "` + network.PodComment(pod) + `"`
	return slices.ContainsFunc(rules, func(r string) bool { return strings.Contains(r, mark) })
}

// podState is the part of /run/minipod/<pod>/state.json the tests read.
type podState struct {
	UID         string       `json:"uid"`
	PodIP       string       `json:"podIP"`
	HostNetwork bool         `json:"hostNetwork"`
	Cgroup      state.Cgroup `json:"cgroup"`
	Monitor     struct {
		PID int `json:"pid"`
	} `json:"monitor"`
	Pause struct {
		PID int `json:"pid"`
	} `json:"pause"`
	NSPaths        map[string]string `json:"nsPaths"`
	Namespaces     map[string]uint64 `json:"namespaces"`
	InitContainers []ctrState        `json:"initContainers"`
	Containers     []ctrState        `json:"containers"`
}

type ctrState struct {
	Name string `json:"name"`
	Proc struct {
		PID int `json:"pid"`
	} `json:"proc"`
}

func readState(name string) (*podState, error) {
	b, err := os.ReadFile("/run/minipod/" + name + "/state.json")
	if err != nil {
		return nil, err
	}
	var st podState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// podProcs lists the pod's monitor, pause and container processes now.
func podProcs(name string) []procID {
	st, err := readState(name)
	if err != nil {
		return nil
	}
	var out []procID
	add := func(what string, pid int) {
		if pid > 0 {
			if s := procStart(pid); s != "" {
				out = append(out, procID{what: what, pid: pid, start: s})
			}
		}
	}
	add("monitor", st.Monitor.PID)
	add("pause", st.Pause.PID)
	for _, c := range append(st.InitContainers, st.Containers...) {
		add("container "+c.Name, c.Proc.PID)
	}
	return append(out, podHostThings(name, st)...)
}

// podHostThings are the pod's veth, cgroup directories and address lease,
// as its state record says they are now.
func podHostThings(name string, st *podState) []procID {
	var out []procID
	thing := func(what, path string, also func() bool) {
		if _, err := os.Lstat(path); err == nil {
			out = append(out, procID{what: what + " " + path, exists: func() bool {
				_, err := os.Lstat(path)
				return err == nil && (also == nil || also())
			}})
		}
	}
	if st.PodIP != "" && !st.HostNetwork {
		thing("veth", "/sys/class/net/"+network.VethName(name, st.UID), nil)
		lease := "/var/lib/minipod/network/leases/" + st.PodIP
		thing("address lease", lease, func() bool {
			b, _ := os.ReadFile(lease)
			return strings.HasPrefix(string(b), name+" "+st.UID)
		})
	}
	if hasPodRules(name) {
		out = append(out, procID{what: "NAT rules of the pod (hostPorts)", exists: func() bool { return hasPodRules(name) }})
	}
	if st.Cgroup.Path != "" {
		dirs, err := cgroups.Recorded(st.Cgroup.V2, st.Cgroup.Mount).Resolve(st.Cgroup.Path)
		if err == nil {
			for _, d := range dirs {
				thing("cgroup", d, nil)
			}
		}
	}
	return out
}

// getPod returns `get NAME -o json` decoded as a v1 Pod.
func getPod(t testing.TB, name string) *corev1.Pod {
	t.Helper()
	out := mustMP(t, "get", name, "-o", "json")
	var p corev1.Pod
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("get -o json is not a v1 Pod: %v\n%s", err, out)
	}
	return &p
}

// getRow returns the columns of pod name's row in `get NAME`, cut at the
// header's column starts (RESTARTS may read "2 (5s ago)").
func getRow(t testing.TB, name string) map[string]string {
	t.Helper()
	out := mustMP(t, "get", name)
	ls := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(ls) < 2 {
		t.Fatalf("get %s printed %q", name, out)
	}
	heads := strings.Fields(ls[0])
	starts := make([]int, len(heads))
	from := 0
	for i, h := range heads {
		starts[i] = from + strings.Index(ls[0][from:], h)
		from = starts[i] + len(h)
	}
	for _, l := range ls[1:] {
		if f := strings.Fields(l); len(f) == 0 || f[0] != name {
			continue
		}
		row := map[string]string{}
		for i, h := range heads {
			end := len(l)
			if i+1 < len(heads) && starts[i+1] < end {
				end = starts[i+1]
			}
			if starts[i] < end {
				row[h] = strings.TrimSpace(l[starts[i]:end])
			}
		}
		return row
	}
	t.Fatalf("no row for %s in get:\n%s", name, out)
	return nil
}

// restarts is the count at the start of a RESTARTS column.
func restarts(t testing.TB, row map[string]string) int {
	t.Helper()
	f := strings.Fields(row["RESTARTS"])
	if len(f) == 0 {
		t.Fatalf("no RESTARTS in %v", row)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatalf("RESTARTS %q: %v", row["RESTARTS"], err)
	}
	return n
}

// status returns the STATUS column of pod name.
func status(t testing.TB, name string) string {
	t.Helper()
	return getRow(t, name)["STATUS"]
}

// waitFor polls cond until it holds or timeout passes; then it fails the
// test, describing what it waited for.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// waitStatus waits until pod name's STATUS is want and returns the row.
func waitStatus(t testing.TB, name, want string, timeout time.Duration) map[string]string {
	t.Helper()
	var row map[string]string
	waitFor(t, timeout, "pod "+name+" STATUS "+want, func() bool {
		row = getRow(t, name)
		return row["STATUS"] == want
	})
	return row
}

// ctrStatus finds container c's status in p (init or app).
func ctrStatus(t testing.TB, p *corev1.Pod, c string) corev1.ContainerStatus {
	t.Helper()
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if s.Name == c {
			return s
		}
	}
	t.Fatalf("pod %s has no status for container %s", p.Name, c)
	return corev1.ContainerStatus{}
}

// execOut runs `exec POD -c CTR -- args` and requires exit 0.
func execOut(t testing.TB, pod, ctr string, args ...string) string {
	t.Helper()
	a := []string{"exec", pod}
	if ctr != "" {
		a = append(a, "-c", ctr)
	}
	return mustMP(t, append(append(a, "--"), args...)...)
}

// nsInode returns the inode of /proc/self/ns/<kind> seen from inside a
// container via readlink.
func nsInode(t testing.TB, pod, ctr, kind string) string {
	t.Helper()
	out := strings.TrimSpace(execOut(t, pod, ctr, "readlink", "/proc/self/ns/"+kind))
	m := regexp.MustCompile(`^` + kind + `:\[(\d+)\]$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("readlink /proc/self/ns/%s in %s/%s printed %q", kind, pod, ctr, out)
	}
	return m[1]
}

// hostNS returns the inode of the test process's own namespace kind.
func hostNS(t testing.TB, kind string) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/"+kind, &st); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatUint(st.Ino, 10)
}

// root marks a test as needing root and runs it in parallel.
func root(t *testing.T) {
	t.Helper()
	testutil.RequiresRoot(t)
	t.Parallel()
}
