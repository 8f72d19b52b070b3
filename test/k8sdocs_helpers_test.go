package test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// docsDir holds the Kubernetes documentation's example manifests, unchanged
// (see testdata/k8s-docs/SOURCES.md).
const docsDir = "testdata/k8s-docs"

// docsGrace is the grace period the tests' teardown gives a documentation
// pod: several examples run "sh -c 'sleep 1h'" as PID 1, which ignores
// SIGTERM, and would otherwise hold each test for the default 30 s.
const docsGrace = "2"

// docExample is one documentation manifest: its bytes as the documentation
// has them and the pod they declare.
type docExample struct {
	file string // relative to docsDir
	text string
	pod  corev1.Pod
}

// readDocExample reads docsDir/file and decodes its (single) Pod.
func readDocExample(t testing.TB, file string) docExample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(docsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	ex := docExample{file: file, text: string(b)}
	if err := yaml.Unmarshal(b, &ex.pod); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if ex.pod.Kind != "Pod" || ex.pod.Name == "" {
		t.Fatalf("%s: not a named Pod: kind %q name %q", file, ex.pod.Kind, ex.pod.Name)
	}
	return ex
}

// docNameLocks serializes the tests whose examples declare the same pod
// name: the documentation reuses names (security-context-demo,
// memory-demo, cpu-demo) and the tests run the manifests unchanged.
var docNameLocks sync.Map // name -> *sync.Mutex

func lockDocName(t *testing.T, name string) {
	t.Helper()
	mu, _ := docNameLocks.LoadOrStore(name, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	t.Cleanup(mu.(*sync.Mutex).Unlock)
}

// docImportedImages are the images the examples name outside Docker Hub,
// and the directory image (under the images root) that stands in for each.
// A directory image only answers Docker Hub names, so the tests import
// these trees into the OCI store under the documentation's names.
var docImportedImages = map[string]string{
	"gcr.io/google-samples/hello-app:2.0":          "gcr.io/google-samples/hello-app/2.0",
	"registry.k8s.io/e2e-test-images/agnhost:2.45": "registry.k8s.io/e2e-test-images/agnhost/2.45",
	"registry.k8s.io/e2e-test-images/agnhost:2.40": "registry.k8s.io/e2e-test-images/agnhost/2.40",
	"registry.k8s.io/busybox:1.27.2":               "registry.k8s.io/busybox/1.27.2",
	"registry.k8s.io/goproxy:0.1":                  "registry.k8s.io/goproxy/0.1",
	"registry.k8s.io/etcd:3.5.1-0":                 "registry.k8s.io/etcd/3.5.1-0",
	"registry.k8s.io/pause:3.10":                   "registry.k8s.io/pause/3.10",
	"registry.k8s.io/pause:3.9":                    "registry.k8s.io/pause/3.9",
	"registry.k8s.io/pause:3.8":                    "registry.k8s.io/pause/3.8",
	"quay.io/crio/artifact:v2":                     "quay.io/crio/artifact/v2", // image volumes
	// Not registry.k8s.io/nginx:latest (pod-level-resize.yaml): ":latest"
	// means imagePullPolicy Always, so a local copy would not be used.
	// Nor registry.k8s.io/test-webserver (untagged or :latest): its
	// stand-in is served from a test registry (k8sdocs_hostpath_test.go).
}

var (
	docImports  sync.Map   // ref -> *docImport
	docImportMu sync.Mutex // one import into the store at a time
)

type docImport struct {
	once sync.Once
	err  error
}

// importDocImages puts the stand-ins of the images pod names outside
// Docker Hub into the OCI store, once per test binary.
func importDocImages(t testing.TB, pod *corev1.Pod) {
	t.Helper()
	root := os.Getenv("MINIPOD_IMAGES")
	if root == "" {
		root = "/var/lib/minipod/images"
	}
	var refs []string
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		refs = append(refs, c.Image)
	}
	for _, v := range pod.Spec.Volumes {
		if v.Image != nil {
			refs = append(refs, v.Image.Reference)
		}
	}
	for _, ref := range refs {
		dir, ok := docImportedImages[ref]
		if !ok {
			continue
		}
		v, _ := docImports.LoadOrStore(ref, new(docImport))
		imp := v.(*docImport)
		imp.once.Do(func() {
			tree := filepath.Join(root, dir)
			if _, err := os.Stat(filepath.Join(tree, "rootfs")); err != nil {
				imp.err = fmt.Errorf("no stand-in image for %s at %s (build it: sudo scripts/build-images.sh): %v", ref, tree, err)
				return
			}
			docImportMu.Lock()
			defer docImportMu.Unlock()
			out, err := exec.Command(exe, "image", "import", tree, ref).CombinedOutput()
			if err != nil {
				imp.err = fmt.Errorf("image import %s %s: %v\n%s", tree, ref, err, out)
			}
		})
		if imp.err != nil {
			t.Fatal(imp.err)
		}
	}
}

// upDoc runs `up -d` on the documentation example file, unchanged, and
// returns its pod name and what up did; up may fail (the test decides
// what that means). up is given at most upTimeout; timedOut says that it
// was still waiting then (it waits for the containers to run). The test
// holds the pod's name until the pod is down, and the teardown (down with
// a short grace period, then the suite's leak check) is registered before
// up runs.
func upDoc(t *testing.T, file string, upTimeout time.Duration, opts ...runOpts) (name string, r result, timedOut bool) {
	t.Helper()
	var o runOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	ex := readDocExample(t, file)
	name = ex.pod.Name
	suitePods.Store(name, true)
	lockDocName(t, name) // unlocked after the teardown below (cleanups run last-in first-out)
	clearLeftover(t, name)
	importDocImages(t, &ex.pod)
	path := writeManifest(t, name, ex.text)
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downDoc(t, name, before, o) })
	r, timedOut = mpTimeout(t, upTimeout, o, "up", "-d", path)
	return name, r, timedOut
}

// mustUpDoc is upDoc for examples the documentation shows running: up must
// succeed.
func mustUpDoc(t *testing.T, file string, opts ...runOpts) string {
	t.Helper()
	name, r, timedOut := upDoc(t, file, cmdTimeout, opts...)
	if timedOut || r.code != 0 {
		t.Fatalf("up %s (timed out: %v): %s", file, timedOut, r)
	}
	return name
}

// clearLeftover deletes a pod of the documentation's fixed name that an
// earlier run which crashed left behind: this run holds the name now.
func clearLeftover(t *testing.T, name string) {
	t.Helper()
	if _, err := os.Stat("/run/minipod/" + name); err == nil {
		t.Logf("deleting pod %s, left by an earlier run", name)
		mp(t, "down", "--ignore-not-found", "--grace-period", "0", name)
	}
}

// downDoc is downAndCheck with the documentation pods' grace period.
func downDoc(t *testing.T, name string, before testutil.HostSnapshot, o runOpts) {
	t.Helper()
	procs := podProcs(name)
	uid := ""
	if st, err := readState(name); err == nil {
		uid = st.UID
	}
	if r := mpWith(t, o, "down", "--ignore-not-found", name, "--grace-period", docsGrace); r.code != 0 {
		t.Errorf("down failed: %s", r)
	}
	checkGone(t, name, before, procs)
	checkCgroupsGone(t, name, uid)
}

// mpTimeout runs minipod like mpWith but gives up after timeout without
// failing the test; timedOut says it did.
func mpTimeout(t testing.TB, timeout time.Duration, o runOpts, args ...string) (r result, timedOut bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), o.env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r = result{args: args, stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("minipod %s: %v", strings.Join(args, " "), err)
	}
	return r, ctx.Err() != nil
}

// waitPod polls `get -o json` until cond holds, and returns that pod.
func waitPod(t testing.TB, name string, timeout time.Duration, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var p *corev1.Pod
	waitFor(t, timeout, "pod "+name+": "+what, func() bool {
		p = getPod(t, name)
		return cond(p)
	})
	return p
}

// allRunning reports whether every app container of p runs.
func allRunning(p *corev1.Pod) bool {
	if len(p.Status.ContainerStatuses) != len(p.Spec.Containers) {
		return false
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running == nil {
			return false
		}
	}
	return true
}

// ---- identities, as `id` and /proc/PID/status print them ----

// idOutput is what `id` printed: uid, gid and the supplementary groups,
// numerically (names in parentheses are dropped).
type idOutput struct {
	uid, gid int
	groups   []int
}

var idRE = regexp.MustCompile(`uid=(\d+)(?:\([^)]*\))? gid=(\d+)(?:\([^)]*\))?(?: groups=(\S+))?`)

func parseID(t testing.TB, out string) idOutput {
	t.Helper()
	m := idRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("id printed %q", out)
	}
	var r idOutput
	r.uid, _ = strconv.Atoi(m[1])
	r.gid, _ = strconv.Atoi(m[2])
	for _, g := range strings.Split(m[3], ",") {
		if g == "" {
			continue
		}
		if i := strings.IndexByte(g, '('); i >= 0 {
			g = g[:i]
		}
		n, err := strconv.Atoi(g)
		if err != nil {
			t.Fatalf("id printed groups %q", m[3])
		}
		r.groups = append(r.groups, n)
	}
	sort.Ints(r.groups)
	return r
}

func (o idOutput) String() string {
	g := make([]string, len(o.groups))
	for i, n := range o.groups {
		g[i] = strconv.Itoa(n)
	}
	return fmt.Sprintf("uid=%d gid=%d groups=%s", o.uid, o.gid, strings.Join(g, ","))
}

// procStatus returns the fields of /proc/<pid>/status as the container
// sees them (exec'd cat), e.g. "CapEff" -> "00000000a80425fb".
func procStatus(t testing.TB, pod, ctr, pid string) map[string]string {
	t.Helper()
	out := execOut(t, pod, ctr, "cat", "/proc/"+pid+"/status")
	fields := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	return fields
}

// ---- cgroups, read from the host ----

// docCgroupDir returns the cgroup directory of container ctr of the pod
// with UID uid ("" for the pod's own cgroup) for the v1 controller ctrl:
// /sys/fs/cgroup/<ctrl>/minipod/pod<UID>/<ctr> when the pod has one there,
// else the directory in the cgroup2 tree. v2 says which one it is.
func docCgroupDir(t testing.TB, uid, ctr, ctrl string) (dir string, v2 bool) {
	t.Helper()
	v1 := filepath.Join("/sys/fs/cgroup", ctrl, "minipod", "pod"+uid, ctr)
	if st, err := os.Stat(v1); err == nil && st.IsDir() {
		return v1, false
	}
	if m := cgroup2Mount(); m != "" {
		d := filepath.Join(m, "minipod", "pod"+uid, ctr)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
	}
	t.Fatalf("no cgroup of pod %s container %q for %s (v1 %s, or under the cgroup2 mount)", uid, ctr, ctrl, v1)
	return "", false
}

func readCgroupFile(t testing.TB, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatalf("read cgroup file: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// unlimited is what memLimit and cpuQuota return for "no limit".
const unlimited = -1

// memLimit returns the memory limit in bytes of a container ("" = the
// pod's cgroup), or unlimited: memory.limit_in_bytes (v1), memory.max (v2).
func memLimit(t testing.TB, uid, ctr string) int64 {
	t.Helper()
	dir, v2 := docCgroupDir(t, uid, ctr, "memory")
	file := "memory.limit_in_bytes"
	if v2 {
		file = "memory.max"
	}
	s := readCgroupFile(t, dir, file)
	if s == "max" {
		return unlimited
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s/%s: %q", dir, file, s)
	}
	if n >= 1<<62 { // v1's "no limit" is the largest page-aligned int64
		return unlimited
	}
	return n
}

// memPeak returns the most memory the cgroup has used so far:
// memory.max_usage_in_bytes (v1), memory.peak (v2).
func memPeak(t testing.TB, uid, ctr string) int64 {
	t.Helper()
	dir, v2 := docCgroupDir(t, uid, ctr, "memory")
	file := "memory.max_usage_in_bytes"
	if v2 {
		file = "memory.peak"
	}
	n, err := strconv.ParseInt(readCgroupFile(t, dir, file), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// cpuQuota returns the CFS quota and period in microseconds, quota
// unlimited for none: cpu.cfs_quota_us and cpu.cfs_period_us (v1),
// cpu.max (v2).
func cpuQuota(t testing.TB, uid, ctr string) (quota, period int64) {
	t.Helper()
	dir, v2 := docCgroupDir(t, uid, ctr, "cpu")
	var qs, ps string
	if v2 {
		f := strings.Fields(readCgroupFile(t, dir, "cpu.max"))
		if len(f) != 2 {
			t.Fatalf("%s/cpu.max: %q", dir, f)
		}
		qs, ps = f[0], f[1]
	} else {
		qs, ps = readCgroupFile(t, dir, "cpu.cfs_quota_us"), readCgroupFile(t, dir, "cpu.cfs_period_us")
	}
	period, err := strconv.ParseInt(ps, 10, 64)
	if err != nil {
		t.Fatalf("cpu period %q in %s", ps, dir)
	}
	if qs == "max" || qs == "-1" {
		return unlimited, period
	}
	quota, err = strconv.ParseInt(qs, 10, 64)
	if err != nil {
		t.Fatalf("cpu quota %q in %s", qs, dir)
	}
	return quota, period
}

// cpuWeight returns cpu.shares (v1) or cpu.weight (v2), and which.
func cpuWeight(t testing.TB, uid, ctr string) (n int64, v2 bool) {
	t.Helper()
	dir, v2 := docCgroupDir(t, uid, ctr, "cpu")
	file := "cpu.shares"
	if v2 {
		file = "cpu.weight"
	}
	n, err := strconv.ParseInt(readCgroupFile(t, dir, file), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n, v2
}

// cpuStat returns the CPU time used (ns) and the number of throttled
// periods of a cgroup: cpuacct.usage and cpu.stat nr_throttled (v1),
// cpu.stat usage_usec and nr_throttled (v2).
func cpuStat(t testing.TB, uid, ctr string) (usageNs, throttled int64) {
	t.Helper()
	dir, v2 := docCgroupDir(t, uid, ctr, "cpu")
	stat := map[string]int64{}
	for _, l := range strings.Split(readCgroupFile(t, dir, "cpu.stat"), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			stat[f[0]], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	if v2 {
		return stat["usage_usec"] * 1000, stat["nr_throttled"]
	}
	acct, _ := docCgroupDir(t, uid, ctr, "cpuacct")
	n, err := strconv.ParseInt(readCgroupFile(t, acct, "cpuacct.usage"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n, stat["nr_throttled"]
}

// cpusUsed measures how many CPUs the cgroup used over d, and how many
// periods were throttled meanwhile.
func cpusUsed(t testing.TB, uid, ctr string, d time.Duration) (cpus float64, throttled int64) {
	t.Helper()
	u0, th0 := cpuStat(t, uid, ctr)
	start := time.Now()
	time.Sleep(d)
	u1, th1 := cpuStat(t, uid, ctr)
	return float64(u1-u0) / float64(time.Since(start).Nanoseconds()), th1 - th0
}

// hostIsCgroup2 reports whether /sys/fs/cgroup is a cgroup2 mount, i.e.
// whether minipod's default cgroup-version (auto) picks v2.
func hostIsCgroup2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// ---- quantities ----

// milli parses the few quantity spellings the examples use ("0.5", "500m",
// "1", "200Mi", "1000Gi", "2048") into thousandths of a unit, so that
// values, not spellings, are compared (Kubernetes prints "0.5" as "500m").
func milli(t testing.TB, s string) int64 {
	t.Helper()
	mult := map[string]float64{"m": 0.001, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "": 1}
	num := strings.TrimRight(s, "mKiGM")
	f, err := strconv.ParseFloat(num, 64)
	m, ok := mult[s[len(num):]]
	if err != nil || !ok {
		t.Fatalf("quantity %q", s)
	}
	return int64(f*m*1000 + 0.5)
}

// wantResources checks requests and limits (resource name -> quantity,
// nil for none) of r.
func wantResources(t testing.TB, what string, r corev1.ResourceRequirements, requests, limits map[string]string) {
	t.Helper()
	for _, k := range []struct {
		kind string
		got  corev1.ResourceList
		want map[string]string
	}{{"requests", r.Requests, requests}, {"limits", r.Limits, limits}} {
		for res, q := range k.want {
			got, ok := k.got[corev1.ResourceName(res)]
			if !ok || got.MilliValue() != milli(t, q) {
				t.Errorf("%s.%s.%s = %v (set: %v), want %s", what, k.kind, res, &got, ok, q)
			}
		}
		for res := range k.got {
			if _, ok := k.want[string(res)]; !ok {
				t.Errorf("%s.%s has %s, which the manifest does not set", what, k.kind, res)
			}
		}
	}
}

// ---- scheduling failures ----

// checkUnschedulable checks what the documentation shows for a pod no node
// can take: `get` says Pending 0/N with no restart, the pod's PodScheduled
// condition is False (Unschedulable), no container ever ran, and describe
// has a FailedScheduling event naming the insufficient resource
// ("Insufficient memory"). upResult is what `up -d` did; Kubernetes
// creates such a pod (kubectl apply succeeds), so the pod must exist.
func checkUnschedulable(t *testing.T, name string, up result, timedOut bool, insufficient string) {
	t.Helper()
	if r := mp(t, "get", name); r.code != 0 {
		t.Fatalf("the documentation shows the pod created and Pending; after up (timed out: %v) %s\nget: %s", timedOut, up, r)
	}
	var row map[string]string
	waitFor(t, 30*time.Second, name+" Pending", func() bool {
		row = getRow(t, name)
		return row["STATUS"] == "Pending"
	})
	if !strings.HasPrefix(row["READY"], "0/") || restarts(t, row) != 0 {
		t.Errorf("get %s: %v, want READY 0/1, RESTARTS 0", name, row)
	}
	p := getPod(t, name)
	if p.Status.Phase != corev1.PodPending {
		t.Errorf("phase %q, want Pending", p.Status.Phase)
	}
	scheduled := false
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			scheduled = true
			if c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable || !strings.Contains(c.Message, insufficient) {
				t.Errorf("condition PodScheduled %s reason %q message %q, want False Unschedulable %q", c.Status, c.Reason, c.Message, insufficient)
			}
		}
	}
	if !scheduled {
		t.Errorf("no PodScheduled condition in %+v", p.Status.Conditions)
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running != nil || s.State.Terminated != nil || s.RestartCount != 0 {
			t.Errorf("container %s of an unschedulable pod has state %+v, restarts %d", s.Name, s.State, s.RestartCount)
		}
	}
	if st, err := readState(name); err == nil {
		for _, c := range st.Containers {
			if c.Proc.PID != 0 {
				t.Errorf("container %s of an unschedulable pod got a process (pid %d)", c.Name, c.Proc.PID)
			}
		}
	}
	d := mustMP(t, "describe", name)
	if !regexp.MustCompile(`Warning\s+FailedScheduling\s.*` + regexp.QuoteMeta(insufficient)).MatchString(d) {
		t.Errorf("describe has no Warning FailedScheduling event naming %q:\n%s", insufficient, d)
	}
}

// ---- the corpus ----

// gitBlobID is `git hash-object` of b.
func gitBlobID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
