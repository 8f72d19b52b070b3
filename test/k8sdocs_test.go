package test

// The Kubernetes documentation's security-context and resource examples,
// run unchanged (testdata/k8s-docs, sources in its SOURCES.md), each
// checked for what its page says a user sees. The pages are cited by
// their address on kubernetes.io; "the page" below is the one named in the
// test's comment.

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestK8sDocsCorpus: every file under testdata/k8s-docs/pods is listed in
// SOURCES.md with its source and commit, and is still byte for byte the
// file of that commit (its git blob id).
func TestK8sDocsCorpus(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(docsDir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `(pods/[^`]+)` \\| `(content/[^`]+)` \\| `([0-9a-f]{40})` \\| `([0-9a-f]{40})` \\|")
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			if !strings.HasSuffix(m[2], "/examples/"+m[1]) {
				t.Errorf("SOURCES.md: %s is listed with the source path %s, not the same relative path", m[1], m[2])
			}
			listed[m[1]] = m[4]
		}
	}
	if len(listed) == 0 {
		t.Fatal("SOURCES.md lists no file")
	}
	seen := 0
	err = filepath.WalkDir(filepath.Join(docsDir, "pods"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(docsDir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		seen++
		switch blob, ok := listed[filepath.ToSlash(rel)]; {
		case !ok:
			t.Errorf("%s is not listed in SOURCES.md", rel)
		case gitBlobID(b) != blob:
			t.Errorf("%s is no longer the documentation's file: git blob %s, SOURCES.md says %s", rel, gitBlobID(b), blob)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(listed) {
		t.Errorf("SOURCES.md lists %d files, %d are there", len(listed), seen)
	}
}

// ---- Configure a Security Context for a Pod or Container
// https://kubernetes.io/docs/tasks/configure-pod-container/security-context/

// TestK8sDocsSecurityContext (security-context.yaml): the processes run as
// user 1000 (ps), /data/demo is group 2000 with the setgid bit
// (drwxrwsrwx root 2000), a file created there is owned by 1000 and group
// 2000 (-rw-r--r-- 1000 2000), and id prints uid=1000 gid=3000
// groups=2000,3000,4000.
func TestK8sDocsSecurityContext(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context.yaml")
	const ctr = "sec-ctx-demo"

	if got := parseID(t, execOut(t, name, ctr, "id")); got.String() != "uid=1000 gid=3000 groups=2000,3000,4000" {
		t.Errorf("id: %s, the page shows uid=1000 gid=3000 groups=2000,3000,4000", got)
	}
	// ps: PID 1 (sleep 1h) and the exec'd ps itself run as 1000.
	ps := execOut(t, name, ctr, "ps")
	users := 0
	for _, l := range strings.Split(ps, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		users++
		if f[1] != "1000" {
			t.Errorf("ps: process %s runs as %s, want 1000:\n%s", f[0], f[1], ps)
		}
	}
	if users == 0 {
		t.Errorf("ps printed no process:\n%s", ps)
	}
	if got := strings.TrimSpace(execOut(t, name, ctr, "stat", "-c", "%A %U %g", "/data/demo")); got != "drwxrwsrwx root 2000" {
		t.Errorf("/data/demo: %q, the page shows drwxrwsrwx root 2000", got)
	}
	got := strings.TrimSpace(execOut(t, name, ctr, "sh", "-c",
		"cd /data/demo && echo hello > testfile && stat -c '%A %u %g %s' testfile"))
	if got != "-rw-r--r-- 1000 2000 6" {
		t.Errorf("testfile: %q, the page shows -rw-r--r-- 1000 2000 6", got)
	}
}

// TestK8sDocsSecurityContext2 (security-context-2.yaml): the container's
// runAsUser 2000 overrides the pod's 1000: its processes run as 2000.
func TestK8sDocsSecurityContext2(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context-2.yaml")
	const ctr = "sec-ctx-demo-2"
	st := procStatus(t, name, ctr, "1")
	if uids := strings.Fields(st["Uid"]); len(uids) != 4 || slices.ContainsFunc(uids, func(u string) bool { return u != "2000" }) {
		t.Errorf("PID 1 Uid: %q, want 2000 (real, effective, saved, fs)", st["Uid"])
	}
	if st["NoNewPrivs"] != "1" {
		t.Errorf("PID 1 NoNewPrivs %q, want 1 (allowPrivilegeEscalation: false)", st["NoNewPrivs"])
	}
	ps := execOut(t, name, ctr, "ps", "aux")
	for _, l := range strings.Split(ps, "\n")[1:] {
		if f := strings.Fields(l); len(f) > 1 && f[1] != "2000" {
			t.Errorf("ps aux: process %s runs as %s, want 2000:\n%s", f[0], f[1], ps)
		}
	}
	if got := parseID(t, execOut(t, name, ctr, "id")); got.uid != 2000 {
		t.Errorf("id in the container: %s, want uid=2000", got)
	}
}

// TestK8sDocsSecurityContext3 (security-context-3.yaml): without a
// capabilities field, PID 1 has CapPrm and CapEff 00000000a80425fb, bits 12
// (NET_ADMIN) and 25 (SYS_TIME) clear.
func TestK8sDocsSecurityContext3(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context-3.yaml")
	st := procStatus(t, name, "sec-ctx-3", "1")
	for _, f := range []string{"CapPrm", "CapEff"} {
		if st[f] != "00000000a80425fb" {
			t.Errorf("PID 1 %s %s, the page shows 00000000a80425fb", f, st[f])
		}
	}
}

// TestK8sDocsSecurityContext4 (security-context-4.yaml): capabilities add
// NET_ADMIN and SYS_TIME: PID 1 has CapPrm and CapEff 00000000aa0435fb,
// bits 12 and 25 set.
func TestK8sDocsSecurityContext4(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context-4.yaml")
	const ctr = "sec-ctx-4"
	st := procStatus(t, name, ctr, "1")
	for _, f := range []string{"CapPrm", "CapEff"} {
		if st[f] != "00000000aa0435fb" {
			t.Errorf("PID 1 %s %s, the page shows 00000000aa0435fb", f, st[f])
		}
	}
	// And the capability works: CAP_NET_ADMIN lets root in the container
	// change its pod's network (bring loopback down and up again).
	if r := mp(t, "exec", name, "-c", ctr, "--", "sh", "-c", "ip link set lo down && ip link set lo up"); r.code != 0 {
		t.Errorf("with NET_ADMIN, ip link set lo down/up failed: %s", r)
	}
}

// TestK8sDocsSecurityContext5 (security-context-5.yaml, implicit group
// memberships): id prints uid=1000 gid=3000 groups=3000,4000,50000, 50000
// being the image's /etc/group membership of user-defined-in-image.
func TestK8sDocsSecurityContext5(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context-5.yaml")
	const ctr = "sec-ctx-demo"
	if got := parseID(t, execOut(t, name, ctr, "id")); got.String() != "uid=1000 gid=3000 groups=3000,4000,50000" {
		t.Errorf("id: %s, the page shows uid=1000 gid=3000 groups=3000,4000,50000", got)
	}
	group := execOut(t, name, ctr, "cat", "/etc/group")
	for _, l := range []string{"user-defined-in-image:x:1000:", "group-defined-in-image:x:50000:user-defined-in-image"} {
		if !slices.Contains(strings.Split(group, "\n"), l) {
			t.Errorf("/etc/group has no line %q:\n%s", l, group)
		}
	}
}

// TestK8sDocsSecurityContext6 (security-context-6.yaml,
// supplementalGroupsPolicy: Strict): the image's groups are not merged: id
// prints uid=1000 gid=3000 groups=3000,4000, and the pod's status shows
// that identity in containerStatuses[].user.linux.
func TestK8sDocsSecurityContext6(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/security-context-6.yaml")
	const ctr = "sec-ctx-demo"
	if got := parseID(t, execOut(t, name, ctr, "id")); got.String() != "uid=1000 gid=3000 groups=3000,4000" {
		t.Errorf("id: %s, the page shows uid=1000 gid=3000 groups=3000,4000", got)
	}
	s := ctrStatus(t, getPod(t, name), ctr)
	if s.User == nil || s.User.Linux == nil {
		t.Fatalf("status.containerStatuses[%s].user.linux is missing: %+v", ctr, s)
	}
	u := s.User.Linux
	if u.UID != 1000 || u.GID != 3000 || !slices.Equal(u.SupplementalGroups, []int64{3000, 4000}) {
		t.Errorf("status user.linux uid %d gid %d supplementalGroups %v, the page shows 1000 3000 [3000 4000]", u.UID, u.GID, u.SupplementalGroups)
	}
}

// TestK8sDocsSecurityContext7 (security-context-7.yaml): securityContext.
// cgroupOptions is not a field of the Kubernetes API minipod implements
// (k8s.io/api v0.37; KEP-5474 proposes it as alpha in 1.38), so up refuses
// the manifest naming the field, as an API server of that version does
// (strict decoding: unknown field), and creates nothing.
func TestK8sDocsSecurityContext7(t *testing.T) {
	root(t)
	name, r, _ := upDoc(t, "pods/security/security-context-7.yaml", cmdTimeout)
	if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "spec.containers[0].securityContext.cgroupOptions") {
		t.Errorf("up: want a refusal naming spec.containers[0].securityContext.cgroupOptions, got %s", r)
	}
	if g := mp(t, "get", name); g.code == 0 && strings.Contains(g.stdout, name) {
		t.Errorf("a refused manifest left a pod: %s", g)
	}
}

// ---- Restrict a Container's Syscalls with seccomp
// https://kubernetes.io/docs/tutorials/security/seccomp/

// TestK8sDocsSeccompDefaultPod (seccomp/ga/default-pod.yaml): with the
// RuntimeDefault profile the pod starts (1/1 Running), its process is
// under a seccomp filter, and http-echo answers.
func TestK8sDocsSeccompDefaultPod(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/security/seccomp/ga/default-pod.yaml")
	if row := getRow(t, name); row["READY"] != "1/1" || row["STATUS"] != "Running" {
		t.Errorf("get: %v, the page shows 1/1 Running", row)
	}
	if st := procStatus(t, name, "test-container", "1"); st["Seccomp"] != "2" {
		t.Errorf("PID 1 Seccomp %q, want 2 (filter)", st["Seccomp"])
	}
	// Running is the server's process, not yet its listening socket: ask
	// until it answers, as a user with curl would.
	var got result
	waitFor(t, 10*time.Second, "http-echo to answer", func() bool {
		got = mp(t, "exec", name, "-c", "test-container", "--", "wget", "-qO-", "http://127.0.0.1:5678/")
		return got.code == 0
	})
	if got.stdout != "just made some more syscalls!\n" {
		t.Errorf("http-echo answered %q", got.stdout)
	}
}

// TestK8sDocsSeccompViolationPod (seccomp/ga/violation-pod.yaml with
// profiles/violation.json on the node): a profile that allows no system
// call: the pod is created but its container fails to start, again and
// again: 0/1 CrashLoopBackOff with restarts.
func TestK8sDocsSeccompViolationPod(t *testing.T) {
	root(t)
	profile, err := os.ReadFile(filepath.Join(docsDir, "pods/security/seccomp/profiles/violation.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The kubelet's <root-dir>/seccomp is minipod's /var/lib/minipod/seccomp.
	dir := "/var/lib/minipod/seccomp/profiles"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "violation.json")
	if err := os.WriteFile(path, profile, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path); os.Remove(dir) }) // after the pod's teardown
	name, r, timedOut := upDoc(t, "pods/security/seccomp/ga/violation-pod.yaml", 60*time.Second)
	if g := mp(t, "get", name); g.code != 0 {
		t.Fatalf("the page shows the pod created; up (timed out: %v): %s\nget: %s", timedOut, r, g)
	}
	row := waitStatus(t, name, "CrashLoopBackOff", 60*time.Second)
	if row["READY"] != "0/1" {
		t.Errorf("get: %v, the page shows 0/1 CrashLoopBackOff", row)
	}
	waitFor(t, 30*time.Second, name+" restarted", func() bool { return restarts(t, getRow(t, name)) >= 1 })
}

// ---- Assign Memory Resources to Containers and Pods
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/

// TestK8sDocsMemoryRequestLimit (memory-request-limit.yaml): the pod runs
// with a memory request of 100Mi and a limit of 200Mi; it uses about 150
// MiB, more than its request and within its limit. The limit is the
// container's cgroup limit.
func TestK8sDocsMemoryRequestLimit(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/memory-request-limit.yaml")
	const ctr = "memory-demo-ctr"
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Namespace != "mem-example" {
		t.Errorf("namespace %q, want mem-example", p.Namespace)
	}
	wantResources(t, ctr+".resources", p.Spec.Containers[0].Resources,
		map[string]string{"memory": "100Mi"}, map[string]string{"memory": "200Mi"})
	uid := string(p.UID)
	if got := memLimit(t, uid, ctr); got != 200<<20 {
		t.Errorf("memory limit of the container's cgroup: %d, want 200Mi (%d)", got, 200<<20)
	}
	var peak int64
	waitFor(t, 30*time.Second, "the container to use more than its 100Mi request", func() bool {
		peak = memPeak(t, uid, ctr)
		return peak > 100<<20
	})
	if peak > 200<<20 {
		t.Errorf("peak memory %d, above the 200Mi limit", peak)
	}
	if s := ctrStatus(t, getPod(t, name), ctr); s.RestartCount != 0 {
		t.Errorf("the container restarted (%d) although it stays within its limit", s.RestartCount)
	}
}

// TestK8sDocsMemoryOverLimit (memory-request-limit-2.yaml): the container
// allocates 250M with a 100Mi limit: it is OOM killed (lastState
// terminated, reason OOMKilled), restarted, killed again, and describe
// shows it.
func TestK8sDocsMemoryOverLimit(t *testing.T) {
	root(t)
	const ctr = "memory-demo-2-ctr"
	name, r, timedOut := upDoc(t, "pods/resource/memory-request-limit-2.yaml", 60*time.Second)
	if g := mp(t, "get", name); g.code != 0 {
		t.Fatalf("the page shows the pod created; up (timed out: %v): %s\nget: %s", timedOut, r, g)
	}
	statuses := map[string]bool{}
	p := waitPod(t, name, 90*time.Second, "container OOMKilled and restarted", func(p *corev1.Pod) bool {
		statuses[getRow(t, name)["STATUS"]] = true
		if len(p.Status.ContainerStatuses) == 0 {
			return false
		}
		s := p.Status.ContainerStatuses[0]
		last := s.LastTerminationState.Terminated
		return s.RestartCount >= 1 && last != nil && last.Reason == "OOMKilled"
	})
	s := ctrStatus(t, p, ctr)
	if last := s.LastTerminationState.Terminated; last.ExitCode == 0 {
		t.Errorf("lastState.terminated: %+v, want a non-zero exit code (the page shows 137)", last)
	}
	t.Logf("STATUS values seen: %v (the page shows OOMKilled, then Running, as the container is killed and restarted)", statuses)
	if d := mustMP(t, "describe", name); !strings.Contains(d, "OOMKilled") {
		t.Errorf("describe does not show the OOMKilled termination:\n%s", d)
	}
	if got := memLimit(t, string(p.UID), ctr); got != 100<<20 {
		t.Errorf("memory limit of the container's cgroup: %d, want 100Mi", got)
	}
}

// TestK8sDocsMemoryRequestTooBig (memory-request-limit-3.yaml): a request
// of 1000Gi fits no node: the pod stays Pending and describe shows
// FailedScheduling: Insufficient memory.
func TestK8sDocsMemoryRequestTooBig(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/resource/memory-request-limit-3.yaml", 30*time.Second)
	checkUnschedulable(t, name, r, timedOut, "Insufficient memory")
}

// ---- Assign CPU Resources to Containers and Pods
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/

// TestK8sDocsCPURequestLimit (cpu-request-limit.yaml): the container asks
// for 0.5 CPU and is limited to 1 CPU; it tries to use 2 CPUs but uses
// about 1, being throttled. The limit is the container cgroup's CFS quota
// (100000/100000 µs), the request its cpu.shares (512).
func TestK8sDocsCPURequestLimit(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/cpu-request-limit.yaml")
	const ctr = "cpu-demo-ctr"
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	wantResources(t, ctr+".resources", p.Spec.Containers[0].Resources,
		map[string]string{"cpu": "500m"}, map[string]string{"cpu": "1"})
	uid := string(p.UID)
	if q, per := cpuQuota(t, uid, ctr); q != per || q <= 0 {
		t.Errorf("CFS quota %d per period %d, want one period per period (1 CPU)", q, per)
	}
	if w, v2 := cpuWeight(t, uid, ctr); (!v2 && w != 512) || (v2 && w != 20) {
		t.Errorf("cpu weight %d (v2: %v), want cpu.shares 512 or cpu.weight 20 for a 0.5 CPU request", w, v2)
	}
	cpus, throttled := cpusUsed(t, uid, ctr, 3*time.Second)
	t.Logf("the container used %.2f CPUs, throttled %d times", cpus, throttled)
	if cpus > 1.15 {
		t.Errorf("the container used %.2f CPUs, above its 1 CPU limit", cpus)
	}
	// Throttling needs the CPU time to reach the quota; on a node busy
	// with other tests the container may not get that far.
	if throttled == 0 && cpus > 0.8 {
		t.Errorf("the container used %.2f CPUs and was never throttled, but it tries to use 2 CPUs with a limit of 1", cpus)
	}
}

// TestK8sDocsCPURequestTooBig (cpu-request-limit-2.yaml): a request of 100
// CPUs fits no node: Pending, FailedScheduling: Insufficient cpu.
func TestK8sDocsCPURequestTooBig(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/resource/cpu-request-limit-2.yaml", 30*time.Second)
	checkUnschedulable(t, name, r, timedOut, "Insufficient cpu")
}

// ---- Configure Quality of Service for Pods
// https://kubernetes.io/docs/tasks/configure-pod-container/quality-service-pod/
// and qos-pod-5.yaml: Resize CPU and Memory Resources assigned to Containers
// https://kubernetes.io/docs/tasks/configure-pod-container/resize-container-resources/

// TestK8sDocsQoS: get -o json shows status.qosClass Guaranteed (qos-pod,
// qos-pod-5), Burstable (qos-pod-2, qos-pod-4) or BestEffort (qos-pod-3),
// every container runs, spec keeps the requests and limits, and the limits
// are those of the containers' cgroups.
func TestK8sDocsQoS(t *testing.T) {
	t.Parallel()
	type ctrWant struct {
		requests, limits map[string]string
	}
	for _, c := range []struct {
		file string
		qos  corev1.PodQOSClass
		ctrs map[string]ctrWant
	}{
		{"pods/qos/qos-pod.yaml", corev1.PodQOSGuaranteed, map[string]ctrWant{
			"qos-demo-ctr": {map[string]string{"memory": "200Mi", "cpu": "700m"}, map[string]string{"memory": "200Mi", "cpu": "700m"}}}},
		{"pods/qos/qos-pod-2.yaml", corev1.PodQOSBurstable, map[string]ctrWant{
			"qos-demo-2-ctr": {map[string]string{"memory": "100Mi"}, map[string]string{"memory": "200Mi"}}}},
		{"pods/qos/qos-pod-3.yaml", corev1.PodQOSBestEffort, map[string]ctrWant{
			"qos-demo-3-ctr": {}}},
		{"pods/qos/qos-pod-4.yaml", corev1.PodQOSBurstable, map[string]ctrWant{
			"qos-demo-4-ctr-1": {map[string]string{"memory": "200Mi"}, nil},
			"qos-demo-4-ctr-2": {}}},
		{"pods/qos/qos-pod-5.yaml", corev1.PodQOSGuaranteed, map[string]ctrWant{
			"qos-demo-ctr-5": {map[string]string{"memory": "200Mi", "cpu": "700m"}, map[string]string{"memory": "200Mi", "cpu": "700m"}}}},
	} {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			root(t)
			name := mustUpDoc(t, c.file)
			p := waitPod(t, name, 30*time.Second, "running", allRunning)
			if p.Namespace != "qos-example" {
				t.Errorf("namespace %q, want qos-example", p.Namespace)
			}
			if p.Status.QOSClass != c.qos {
				t.Errorf("status.qosClass %q, the page shows %s", p.Status.QOSClass, c.qos)
			}
			for _, ctr := range p.Spec.Containers {
				w, ok := c.ctrs[ctr.Name]
				if !ok {
					t.Fatalf("unexpected container %s", ctr.Name)
				}
				wantResources(t, ctr.Name+".resources", ctr.Resources, w.requests, w.limits)
				checkCgroupLimits(t, string(p.UID), ctr.Name, w.limits)
			}
		})
	}
}

// checkCgroupLimits checks that the cgroup of container ctr ("" for the
// pod's) enforces limits (memory, cpu; absent = unlimited).
func checkCgroupLimits(t *testing.T, uid, ctr string, limits map[string]string) {
	t.Helper()
	what := "container " + ctr
	if ctr == "" {
		what = "the pod"
	}
	wantMem := int64(unlimited)
	if m, ok := limits["memory"]; ok {
		wantMem = milli(t, m) / 1000
	}
	if got := memLimit(t, uid, ctr); got != wantMem {
		t.Errorf("memory limit of %s's cgroup: %d, want %d (-1: none)", what, got, wantMem)
	}
	q, per := cpuQuota(t, uid, ctr)
	if c, ok := limits["cpu"]; ok {
		if want := milli(t, c) * per / 1000; q != want {
			t.Errorf("CFS quota of %s's cgroup: %d per %d µs, want %d (%s CPU)", what, q, per, want, c)
		}
	} else if q != unlimited {
		t.Errorf("CFS quota of %s's cgroup: %d per %d µs, want none", what, q, per)
	}
}

// ---- Assign Extended Resources to a Container
// https://kubernetes.io/docs/tasks/configure-pod-container/extended-resource/

// TestK8sDocsExtendedResource: the page's node advertises four
// example.com/dongle (Advertise Extended Resources for a Node); this node
// advertises none, so as on such a Kubernetes node both pods stay Pending
// with FailedScheduling: Insufficient example.com/dongle (the page shows
// that for the second pod).
func TestK8sDocsExtendedResource(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"pods/resource/extended-resource-pod.yaml", "pods/resource/extended-resource-pod-2.yaml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			root(t)
			name, r, timedOut := upDoc(t, file, 30*time.Second)
			checkUnschedulable(t, name, r, timedOut, "Insufficient example.com/dongle")
		})
	}
}

// ---- Assign Pod-level CPU and memory resources
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/

// TestK8sDocsPodLevelCPU (pod-level-cpu-request-limit.yaml): the pod (not
// its container) requests 0.5 CPU and is limited to 1 CPU: the limit is the
// pod cgroup's CFS quota, the container tries 2 CPUs and is throttled to
// about 1.
func TestK8sDocsPodLevelCPU(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/pod-level-cpu-request-limit.yaml")
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Spec.Resources == nil {
		t.Fatalf("get -o json has no spec.resources")
	}
	wantResources(t, "spec.resources", *p.Spec.Resources, map[string]string{"cpu": "500m"}, map[string]string{"cpu": "1"})
	if p.Status.QOSClass != corev1.PodQOSBurstable {
		t.Errorf("status.qosClass %q, want Burstable (pod-level request 0.5 < limit 1)", p.Status.QOSClass)
	}
	uid := string(p.UID)
	checkCgroupLimits(t, uid, "", map[string]string{"cpu": "1"})
	cpus, throttled := cpusUsed(t, uid, "", 3*time.Second)
	t.Logf("the pod used %.2f CPUs, throttled %d times", cpus, throttled)
	if cpus > 1.15 {
		t.Errorf("the pod used %.2f CPUs, above its 1 CPU pod-level limit", cpus)
	}
	if throttled == 0 && cpus > 0.8 {
		t.Errorf("the pod used %.2f CPUs and was never throttled, but its container tries to use 2 CPUs with a pod limit of 1", cpus)
	}
}

// TestK8sDocsPodLevelMemory (pod-level-memory-request-limit.yaml): the pod
// requests 100Mi and is limited to 200Mi at pod level; it runs and uses
// about 150 MiB. The limit is the pod cgroup's.
func TestK8sDocsPodLevelMemory(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/pod-level-memory-request-limit.yaml")
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Spec.Resources == nil {
		t.Fatalf("get -o json has no spec.resources")
	}
	wantResources(t, "spec.resources", *p.Spec.Resources, map[string]string{"memory": "100Mi"}, map[string]string{"memory": "200Mi"})
	uid := string(p.UID)
	checkCgroupLimits(t, uid, "", map[string]string{"memory": "200Mi"})
	var peak int64
	waitFor(t, 30*time.Second, "the pod to use more than its 100Mi request", func() bool {
		peak = memPeak(t, uid, "")
		return peak > 100<<20
	})
	if peak > 200<<20 {
		t.Errorf("pod peak memory %d, above the 200Mi limit", peak)
	}
}

// TestK8sDocsPodLevelResources (pod-level-resources.yaml): pod-level
// requests 1 CPU/100Mi, limits 1 CPU/200Mi; container 1 has its own
// 0.5 CPU/100Mi limits, container 2 none and is bounded by the pod's. Both
// run; the pod's cgroup and container 1's enforce their limits.
func TestK8sDocsPodLevelResources(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/pod-level-resources.yaml")
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Spec.Resources == nil {
		t.Fatalf("get -o json has no spec.resources")
	}
	wantResources(t, "spec.resources", *p.Spec.Resources,
		map[string]string{"cpu": "1", "memory": "100Mi"}, map[string]string{"cpu": "1", "memory": "200Mi"})
	wantResources(t, "pod-resources-demo-ctr-1.resources", p.Spec.Containers[0].Resources,
		map[string]string{"cpu": "500m", "memory": "50Mi"}, map[string]string{"cpu": "500m", "memory": "100Mi"})
	if p.Status.QOSClass != corev1.PodQOSBurstable {
		t.Errorf("status.qosClass %q, want Burstable (pod-level memory request < limit)", p.Status.QOSClass)
	}
	uid := string(p.UID)
	checkCgroupLimits(t, uid, "", map[string]string{"cpu": "1", "memory": "200Mi"})
	checkCgroupLimits(t, uid, "pod-resources-demo-ctr-1", map[string]string{"cpu": "500m", "memory": "100Mi"})
}

// ---- Assign per-pod PID limits
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-pid-limit/

// TestK8sDocsPodLevelPIDLimit (pod-level-pid-limit.yaml): on a cgroup v2
// node the pod runs and its pod cgroup's pids.max is 2048; a cgroup v1
// node rejects the pod (the page: "Nodes running cgroupsv1 will reject
// Pods that specify a PID limit"). minipod's default cgroup-version
// (auto) decides which this host is.
func TestK8sDocsPodLevelPIDLimit(t *testing.T) {
	root(t)
	if !hostIsCgroup2() {
		name, r, timedOut := upDoc(t, "pods/resource/pod-level-pid-limit.yaml", 60*time.Second)
		if r.code == 0 && !timedOut {
			p := getPod(t, name)
			if p.Status.Phase != corev1.PodFailed {
				t.Errorf("on a cgroup v1 node the pod runs (phase %s); the page says such a node rejects it", p.Status.Phase)
			}
		}
		if r.code != 0 && !strings.Contains(r.stderr+r.stdout, "pids") {
			t.Errorf("the rejection does not name the pids limit: %s", r)
		}
		return
	}
	name := mustUpDoc(t, "pods/resource/pod-level-pid-limit.yaml")
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Spec.Resources == nil {
		t.Fatalf("get -o json has no spec.resources")
	}
	wantResources(t, "spec.resources", *p.Spec.Resources, nil, map[string]string{"pids": "2048"})
	dir, _ := docCgroupDir(t, string(p.UID), "", "pids")
	if got := readCgroupFile(t, dir, "pids.max"); got != "2048" {
		t.Errorf("pod cgroup pids.max %q, want 2048", got)
	}
}

// ---- Resize CPU and Memory Resources assigned to Containers / Pods
// https://kubernetes.io/docs/tasks/configure-pod-container/resize-container-resources/
// https://kubernetes.io/docs/tasks/configure-pod-container/resize-pod-resources/
// minipod has no resize verb (kubectl patch --subresource resize), so only
// the state the pages start from is checked.

// TestK8sDocsPodResize (pod-resize.yaml): the pod starts Guaranteed;
// spec.containers[0].resources and status.containerStatuses[0].resources
// match the manifest (700m CPU, 200Mi memory), restartCount 0; the
// container's cgroup enforces the limits.
func TestK8sDocsPodResize(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/resource/pod-resize.yaml")
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	if p.Status.QOSClass != corev1.PodQOSGuaranteed {
		t.Errorf("status.qosClass %q, the page shows Guaranteed", p.Status.QOSClass)
	}
	want := map[string]string{"cpu": "700m", "memory": "200Mi"}
	wantResources(t, "spec.containers[0].resources", p.Spec.Containers[0].Resources, want, want)
	s := ctrStatus(t, p, "pause")
	if s.Resources == nil {
		t.Errorf("status.containerStatuses[0].resources is missing")
	} else {
		wantResources(t, "status.containerStatuses[0].resources", *s.Resources, want, want)
	}
	if s.RestartCount != 0 {
		t.Errorf("restartCount %d, want 0", s.RestartCount)
	}
	if len(p.Spec.Containers[0].ResizePolicy) != 2 {
		t.Errorf("spec.containers[0].resizePolicy %v, want the manifest's two entries", p.Spec.Containers[0].ResizePolicy)
	}
	checkCgroupLimits(t, string(p.UID), "pause", want)
}

// TestK8sDocsPodLevelResize (pod-level-resize.yaml): pod-level requests and
// limits 200m CPU and 200Mi: Guaranteed, and the pod's cgroup enforces
// them. Its second container's image, registry.k8s.io/nginx:latest, is
// pulled (":latest" means imagePullPolicy Always) and no registry is
// reachable here, so only the pause container is required to run.
func TestK8sDocsPodLevelResize(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/resource/pod-level-resize.yaml", 60*time.Second)
	if g := mp(t, "get", name); g.code != 0 {
		t.Fatalf("up (timed out: %v): %s\nget: %s", timedOut, r, g)
	}
	p := waitPod(t, name, 30*time.Second, "pause running", func(p *corev1.Pod) bool {
		for _, s := range p.Status.ContainerStatuses {
			if s.Name == "pause" && s.State.Running != nil {
				return true
			}
		}
		return false
	})
	if p.Spec.Resources == nil {
		t.Fatalf("get -o json has no spec.resources")
	}
	want := map[string]string{"cpu": "200m", "memory": "200Mi"}
	wantResources(t, "spec.resources", *p.Spec.Resources, want, want)
	if p.Status.QOSClass != corev1.PodQOSGuaranteed {
		t.Errorf("status.qosClass %q, want Guaranteed (pod-level requests = limits)", p.Status.QOSClass)
	}
	checkCgroupLimits(t, string(p.UID), "", want)
}
