package test

// Resource limits as the kubelet applies them, checked for real on the
// host: OOM kills told apart from other SIGKILLs, CFS quota and shares,
// the node's pod pids limit, QoS classes and OOM score adjustments,
// `minipod top`, and the API server's errors for bad resource values.
// Scheduling is in schedule_test.go, local-storage eviction in
// eviction_test.go.

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	corev1 "k8s.io/api/core/v1"
)

// busyLoop keeps one CPU busy for as long as it is allowed to.
const busyLoop = "while :; do :; done"

// requireCreated accepts what `up -d` did for a pod whose container may
// die at once (an OOM kill, an eviction): up may report the pod's failure,
// but the pod must exist, as it does on Kubernetes.
func requireCreated(t *testing.T, name string, r result) {
	t.Helper()
	if r.code == 0 {
		return
	}
	if g := mp(t, "get", name); g.code != 0 {
		t.Fatalf("up failed and left no pod: %s\nget: %s", r, g)
	}
	t.Logf("up reported the pod's failure (accepted): %s", r)
}

// ctrHostPID returns the host PID of container ctr's main process, from
// the pod's state file, or 0.
func ctrHostPID(t testing.TB, pod, ctr string) int {
	t.Helper()
	st, err := readState(pod)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Containers {
		if c.Name == ctr {
			return c.Proc.PID
		}
	}
	t.Fatalf("pod %s has no container %s in its state", pod, ctr)
	return 0
}

// procFileInt reads a number from /proc/<pid>/<file> on the host.
func procFileInt(t testing.TB, pid int, file string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("/proc/%d/%s: %q", pid, file, b)
	}
	return n
}

// hasCap tells whether process pid has capability bit in its effective
// set.
func hasCap(t testing.TB, pid, bit int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CapEff:\s*([0-9a-f]+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CapEff in /proc/%d/status", pid)
	}
	caps, err := strconv.ParseUint(string(m[1]), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return caps&(1<<bit) != 0
}

// capSysResource is CAP_SYS_RESOURCE's bit: lowering oom_score_adj needs it.
const capSysResource = 24

// hostMemTotal is MemTotal of /proc/meminfo in bytes: the node's memory
// capacity, which the kubelet's Burstable OOM score is relative to.
func hostMemTotal(t testing.TB) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^MemTotal:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no MemTotal in /proc/meminfo")
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// TestResourcesOOMKilledNever: a container allocating past its 20Mi limit
// (tail buffers /dev/zero, which has no newline, without end) is killed by
// the kernel's OOM killer: state terminated, reason OOMKilled, exit code
// 137, `get` STATUS OOMKilled, describe shows it, and with restartPolicy
// Never it stays so (phase Failed, no restart).
func TestResourcesOOMKilledNever(t *testing.T) {
	root(t)
	name := podName("oomnever")
	requireCreated(t, name, tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: hog
    image: busybox
    command: ["tail", "/dev/zero"]
    resources:
      limits: {memory: 20Mi}
`, name)))
	p := waitPod(t, name, 60*time.Second, "phase Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	checkOOMTerminated := func(p *corev1.Pod) {
		t.Helper()
		s := ctrStatus(t, p, "hog")
		if term := s.State.Terminated; term == nil || term.Reason != "OOMKilled" || term.ExitCode != 137 {
			t.Errorf("state %+v, want terminated, reason OOMKilled, exit code 137", s.State)
		}
		if s.RestartCount != 0 || p.Status.Phase != corev1.PodFailed {
			t.Errorf("restartCount %d, phase %s: restartPolicy Never must not restart", s.RestartCount, p.Status.Phase)
		}
	}
	checkOOMTerminated(p)
	if st := status(t, name); st != "OOMKilled" {
		t.Errorf("get STATUS %q, want OOMKilled", st)
	}
	d := mustMP(t, "describe", name)
	if !regexp.MustCompile(`State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137`).MatchString(d) {
		t.Errorf("describe does not show the container terminated OOMKilled, exit code 137:\n%s", d)
	}
	// A restart would come at once (the first one is immediate): after a
	// while the pod is still as it was.
	time.Sleep(3 * time.Second)
	checkOOMTerminated(getPod(t, name))
}

// TestResourcesOOMKilledRestarts: with restartPolicy OnFailure an OOM
// killed container (exit code 137) is restarted, killed again, and backed
// off: restartCount grows, lastState.terminated is OOMKilled 137, `get`
// shows CrashLoopBackOff between the restarts, the phase stays Running and
// the container's cgroup has the 20Mi limit.
func TestResourcesOOMKilledRestarts(t *testing.T) {
	root(t)
	name := podName("oomrestart")
	requireCreated(t, name, tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 1
  containers:
  - name: hog
    image: busybox
    command: ["tail", "/dev/zero"]
    resources:
      limits: {memory: 20Mi}
`, name)))
	seen := map[string]bool{}
	// The first restart is immediate, the second after a 10 s back-off.
	p := waitPod(t, name, 90*time.Second, "two restarts after OOM kills", func(p *corev1.Pod) bool {
		seen[status(t, name)] = true
		if len(p.Status.ContainerStatuses) != 1 {
			return false
		}
		s := p.Status.ContainerStatuses[0]
		return s.RestartCount >= 2 && s.LastTerminationState.Terminated != nil
	})
	s := ctrStatus(t, p, "hog")
	if last := s.LastTerminationState.Terminated; last.Reason != "OOMKilled" || last.ExitCode != 137 {
		t.Errorf("lastState.terminated %+v, want reason OOMKilled, exit code 137", last)
	}
	if !seen["CrashLoopBackOff"] {
		t.Errorf("get STATUS never showed CrashLoopBackOff between the OOM kills; seen %v", seen)
	}
	t.Logf("STATUS values seen: %v", seen)
	if p.Status.Phase != corev1.PodRunning {
		t.Errorf("phase %s, want Running (the container is restarted on failure)", p.Status.Phase)
	}
	if got := memLimit(t, string(p.UID), "hog"); got != 20<<20 {
		t.Errorf("memory limit of the container's cgroup %d, want 20Mi", got)
	}
	d := mustMP(t, "describe", name)
	if !regexp.MustCompile(`Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137`).MatchString(d) {
		t.Errorf("describe does not show the last state OOMKilled, exit code 137:\n%s", d)
	}
}

// TestResourcesKillIsNotOOM: exit code 137 alone is no OOM kill; the
// reason comes from the cgroup's OOM counter. A SIGKILL from the host to a
// container (whose previous instance was OOM killed in the same cgroup)
// and a child killed from an exec, its exit status passed on as 137, are
// both reason Error, exit code 137.
func TestResourcesKillIsNotOOM(t *testing.T) {
	t.Parallel()
	t.Run("host-kill-after-oom", func(t *testing.T) {
		root(t)
		name := podName("killoom")
		// Instance 0 is OOM killed; instance 1 (restarted at once) sleeps
		// until the test kills it. The flag survives on the emptyDir.
		requireCreated(t, name, tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: flag, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "if [ -e /flag/oomed ]; then exec sleep 100000; fi; touch /flag/oomed; exec tail /dev/zero"]
    volumeMounts: [{name: flag, mountPath: /flag}]
    resources:
      limits: {memory: 20Mi}
`, name)))
		waitPod(t, name, 60*time.Second, "OOM killed, then running again", func(p *corev1.Pod) bool {
			if len(p.Status.ContainerStatuses) != 1 {
				return false
			}
			s := p.Status.ContainerStatuses[0]
			last := s.LastTerminationState.Terminated
			return s.RestartCount == 1 && last != nil && last.Reason == "OOMKilled" && s.State.Running != nil
		})
		pid := ctrHostPID(t, name, "c")
		if pid <= 0 {
			t.Fatalf("no PID recorded for the running container")
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %d: %v", pid, err)
		}
		// The second restart is backed off: CrashLoopBackOff can only
		// follow the killed instance.
		p := waitPod(t, name, 30*time.Second, "back-off after the kill", func(p *corev1.Pod) bool {
			s := p.Status.ContainerStatuses[0]
			return s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff"
		})
		last := ctrStatus(t, p, "c").LastTerminationState.Terminated
		if last == nil || last.Reason != "Error" || last.ExitCode != 137 {
			t.Errorf("after kill -9 from the host, lastState.terminated %+v, want reason Error, exit code 137 (not OOMKilled: no OOM kill in this instance)", last)
		}
	})
	t.Run("exec-kill-child", func(t *testing.T) {
		root(t)
		name := podName("killexec")
		upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "sleep 100000; exit $?"]
    resources:
      limits: {memory: 20Mi}
`, name))
		waitPod(t, name, 30*time.Second, "running", allRunning)
		waitFor(t, 10*time.Second, "sleep to run", func() bool {
			return mp(t, "exec", name, "--", "pidof", "sleep").code == 0
		})
		// The killed sleep ends the container's PID 1, and with it the
		// kernel kills the rest of its PID namespace: the exec'd shell too,
		// when it has not exited yet (137). Either way is right.
		if r := mp(t, "exec", name, "-c", "c", "--", "sh", "-c", "kill -9 $(pidof sleep)"); r.code != 0 && r.code != 137 {
			t.Fatalf("exec kill: %s", r)
		}
		p := waitPod(t, name, 30*time.Second, "phase Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
		term := ctrStatus(t, p, "c").State.Terminated
		if term == nil || term.Reason != "Error" || term.ExitCode != 137 {
			t.Errorf("state.terminated %+v, want reason Error, exit code 137", term)
		}
		if st := status(t, name); st != "Error" {
			t.Errorf("get STATUS %q, want Error", st)
		}
	})
}

// TestResourcesCPU: a CPU limit is a CFS quota (100m: 10000 µs per 100000
// µs period) that holds a busy loop to about a tenth of a CPU; requests are
// cpu.shares, the kubelet's milli*1024/1000 with a minimum of 2, for each
// container and, summed, for the pod; no limit is no quota.
func TestResourcesCPU(t *testing.T) {
	root(t)
	name := podName("cpuquota")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: busy
    image: busybox
    command: ["sh", "-c", "{{BUSY}}"]
    resources:
      requests: {cpu: 50m}
      limits: {cpu: 100m}
  - name: tiny
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
    resources:
      requests: {cpu: 1m}
  - name: none
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
`, name, "BUSY", busyLoop, "IDLE", idle))
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	uid := string(p.UID)
	if p.Status.QOSClass != corev1.PodQOSBurstable {
		t.Errorf("qosClass %s, want Burstable", p.Status.QOSClass)
	}
	if q, per := cpuQuota(t, uid, "busy"); q != 10000 || per != 100000 {
		t.Errorf("busy: CFS quota %d per %d µs, want 10000 per 100000 (100m)", q, per)
	}
	for _, c := range []struct {
		ctr    string
		shares int64
	}{
		{"busy", 51}, // 50*1024/1000
		{"tiny", 2},  // 1*1024/1000 = 1, raised to the minimum
		{"none", 2},  // no request: the minimum
		{"", 52},     // the pod: 51m*1024/1000
	} {
		if w, v2 := cpuWeight(t, uid, c.ctr); v2 || w != c.shares {
			t.Errorf("container %q: cpu.shares %d (v2: %v), want %d", c.ctr, w, v2, c.shares)
		}
	}
	for _, c := range []string{"tiny", "none", ""} {
		if q, _ := cpuQuota(t, uid, c); q != unlimited {
			t.Errorf("container %q has a CFS quota %d, but no CPU limit (for the pod: not every container has one)", c, q)
		}
	}
	cpus, throttled := cpusUsed(t, uid, "busy", 3*time.Second)
	t.Logf("the busy loop used %.3f CPUs, throttled %d times", cpus, throttled)
	if cpus >= 0.2 {
		t.Errorf("the busy loop used %.3f CPUs with a 100m limit", cpus)
	}
	// Throttling needs the loop to reach the quota, which a node busy
	// with other tests may not let it do.
	if throttled == 0 && cpus > 0.08 {
		t.Errorf("the busy loop used %.3f CPUs and was never throttled", cpus)
	}
}

// TestResourcesPodPidsLimit: the node setting pod-pids-limit is the pod
// cgroup's pids.max, and a container starting processes without end hits
// it: forks fail, the pod never has more, and down still removes it all.
func TestResourcesPodPidsLimit(t *testing.T) {
	root(t)
	const limit = 30
	opts := runOpts{env: []string{"MINIPOD_POD_PIDS_LIMIT=" + strconv.Itoa(limit)}}
	name := podName("pidslimit")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
`, name, "IDLE", idle), opts)
	p := waitPod(t, name, 30*time.Second, "running", allRunning)
	dir, _ := docCgroupDir(t, string(p.UID), "", "pids")
	if got := readCgroupFile(t, dir, "pids.max"); got != strconv.Itoa(limit) {
		t.Fatalf("pod cgroup pids.max %q, want %d", got, limit)
	}
	// exec returns once its output closes: the sleeps must not hold it.
	r := mp(t, "exec", name, "--", "sh", "-c", "for i in $(seq 100); do sleep 1000 >/dev/null 2>&1 & done; echo all started")
	if r.code == 0 || strings.Contains(r.stdout, "all started") || !strings.Contains(r.stderr, "can't fork") {
		t.Errorf("100 background processes in a pod limited to %d: %s", limit, r)
	}
	cur, err := strconv.Atoi(readCgroupFile(t, dir, "pids.current"))
	if err != nil || cur > limit {
		t.Errorf("pod cgroup pids.current %d (%v), above pids.max %d", cur, err, limit)
	}
	// The refusals are counted in pids.events: on cgroup v1 in the
	// forking (container's) cgroup, on v2 in the limited (pod's) one.
	ctrDir, _ := docCgroupDir(t, string(p.UID), "c", "pids")
	podEv, ctrEv := readCgroupFile(t, dir, "pids.events"), readCgroupFile(t, ctrDir, "pids.events")
	refused := func(ev string) bool { n, ok := strings.CutPrefix(ev, "max "); return ok && n != "0" }
	if !refused(podEv) && !refused(ctrEv) {
		t.Errorf("pids.events of the pod %q and of the container %q: no fork was refused", podEv, ctrEv)
	}
	// The sleeps are left running, at the limit: down must remove them.
}

// TestResourcesOOMScoreAdj: status.qosClass and the kubelet's OOM score
// adjustment of the containers' processes, main and exec'd: BestEffort
// 1000; Burstable 1000 - 1000*memoryRequest/MemTotal, kept within [3, 999]
// (999 for a container requesting no memory); Guaranteed -997, which needs
// CAP_SYS_RESOURCE: without it the value stays the inherited one; pause
// -998, as containerd sets a sandbox's.
func TestResourcesOOMScoreAdj(t *testing.T) {
	t.Parallel()
	burstable := 1000 - 1000*int64(1<<30)/hostMemTotal(t)
	burstable = max(3, min(999, burstable))
	for _, c := range []struct {
		name      string
		resources string
		qos       corev1.PodQOSClass
		adj       map[string]int // container -> adjustment; -997 may not be settable
	}{
		{"besteffort", "", corev1.PodQOSBestEffort, map[string]int{"a": 1000, "b": 1000}},
		{"burstable", `resources: {requests: {memory: 1Gi}, limits: {memory: 2Gi}}`, corev1.PodQOSBurstable,
			map[string]int{"a": int(burstable), "b": 999}},
		{"guaranteed", `resources: {requests: {memory: 64Mi, cpu: 100m}, limits: {memory: 64Mi, cpu: 100m}}`, corev1.PodQOSGuaranteed,
			map[string]int{"a": -997, "b": -997}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("oomadj")
			bRes := ""
			if c.qos == corev1.PodQOSGuaranteed {
				bRes = c.resources // every container needs the same for Guaranteed
			}
			upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
    {{ARES}}
  - name: b
    image: busybox
    command: ["sh", "-c", "{{IDLE}}"]
    {{BRES}}
`, name, "IDLE", idle, "ARES", c.resources, "BRES", bRes))
			p := waitPod(t, name, 30*time.Second, "running", allRunning)
			if p.Status.QOSClass != c.qos {
				t.Errorf("qosClass %s, want %s", p.Status.QOSClass, c.qos)
			}
			st, err := readState(name)
			if err != nil {
				t.Fatal(err)
			}
			monAdj := procFileInt(t, st.Monitor.PID, "oom_score_adj")
			canLower := hasCap(t, st.Monitor.PID, capSysResource)
			check := func(what string, got, want int) {
				t.Helper()
				switch {
				case want == -997 && !canLower:
					// Lowering is best effort on a node whose root lacks
					// CAP_SYS_RESOURCE: never above what it inherited.
					if got > monAdj {
						t.Errorf("%s: oom_score_adj %d, above the monitor's %d (Guaranteed asks -997, not settable here)", what, got, monAdj)
					}
				case got != want:
					t.Errorf("%s: oom_score_adj %d, want %d", what, got, want)
				}
			}
			// Pause (see TestPauseHandsOver for its oom_score_adj)
			// handed the namespaces over and exited.
			if st.Pause.PID != 0 {
				t.Errorf("pause %d still runs in a pod without a shared PID namespace", st.Pause.PID)
			}
			for ctr, want := range c.adj {
				check("container "+ctr+" PID 1", procFileInt(t, ctrHostPID(t, name, ctr), "oom_score_adj"), want)
				// exec'd commands have the container's value from their
				// first instruction on, as runc's exec sets it before
				// the command runs. cat reads it at once: a value set
				// just after the command started is missed now and then
				// (a few percent here), so it is read many times, up to
				// the first wrong value.
				for i := 0; i < 40 && !t.Failed(); i++ {
					out := strings.TrimSpace(execOut(t, name, ctr, "cat", "/proc/self/oom_score_adj"))
					n, err := strconv.Atoi(out)
					if err != nil {
						// "0\n9": the value changed between cat's reads.
						t.Errorf("exec'd cat /proc/self/oom_score_adj in %s printed %q: the value was changed while the command ran", ctr, out)
						break
					}
					check("exec'd cat in "+ctr+" (try "+strconv.Itoa(i+1)+")", n, want)
				}
			}
		})
	}
}

// topRows runs `top args...` and returns its header and rows, as fields.
func topRows(t *testing.T, args ...string) (header []string, rows [][]string) {
	t.Helper()
	out := mustMP(t, append([]string{"top"}, args...)...)
	for i, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if i == 0 {
			header = strings.Fields(l)
			continue
		}
		rows = append(rows, strings.Fields(l))
	}
	return header, rows
}

// topValue parses a CPU(cores) ("120m") or MEMORY(bytes) ("32Mi") value.
func topValue(t *testing.T, s, unit string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimSuffix(s, unit), 10, 64)
	if err != nil || !strings.HasSuffix(s, unit) {
		t.Fatalf("top printed %q, want a number of %s", s, unit)
	}
	return n
}

// TestResourcesTop: `top POD` and `top POD --containers` print kubectl top
// pod's columns, with values from the containers' cgroups: a busy loop
// (limited to 500m) shows more CPU than an idle container, 32 MiB written
// to the pod's /dev/shm by a container is in that container's memory (and
// the pod's); an unknown pod is an error.
func TestResourcesTop(t *testing.T) {
	root(t)
	name := podName("top")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: busy
    image: busybox
    command: ["sh", "-c", "{{BUSY}}"]
    resources:
      limits: {cpu: 500m}
  - name: idle
    image: busybox
    command: ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=32 && touch /tmp/ready && {{IDLE}}"]
`, name, "BUSY", busyLoop, "IDLE", idle))
	waitPod(t, name, 30*time.Second, "running", allRunning)
	waitFor(t, 30*time.Second, "the idle container's 32 MiB", func() bool {
		return mp(t, "exec", name, "-c", "idle", "--", "test", "-e", "/tmp/ready").code == 0
	})

	header, rows := topRows(t, name, "--containers", "--window", "2s")
	if strings.Join(header, " ") != "POD NAME CPU(cores) MEMORY(bytes)" {
		t.Fatalf("top --containers header %q", header)
	}
	cpu, mem := map[string]int64{}, map[string]int64{}
	for _, r := range rows {
		if len(r) != 4 || r[0] != name {
			t.Fatalf("top --containers row %q", r)
		}
		cpu[r[1]], mem[r[1]] = topValue(t, r[2], "m"), topValue(t, r[3], "Mi")
	}
	if len(rows) != 2 {
		t.Fatalf("top --containers printed %d rows, want busy and idle: %q", len(rows), rows)
	}
	t.Logf("top --containers: cpu %v, memory %v", cpu, mem)
	if cpu["busy"] <= cpu["idle"] || cpu["busy"] < 50 || cpu["busy"] > 700 {
		t.Errorf("CPU busy %dm, idle %dm: want busy above idle, and about its 500m limit", cpu["busy"], cpu["idle"])
	}
	if mem["idle"] < 32 {
		t.Errorf("memory of the container that filled /dev/shm with 32 MiB: %dMi", mem["idle"])
	}

	header, rows = topRows(t, name)
	if strings.Join(header, " ") != "NAME CPU(cores) MEMORY(bytes)" {
		t.Fatalf("top header %q", header)
	}
	if len(rows) != 1 || len(rows[0]) != 3 || rows[0][0] != name {
		t.Fatalf("top %s printed rows %q", name, rows)
	}
	if c, m := topValue(t, rows[0][1], "m"), topValue(t, rows[0][2], "Mi"); c < 50 || m < 32 {
		t.Errorf("top %s: CPU %dm, memory %dMi; want the busy loop's CPU and the 32 MiB", name, c, m)
	}

	if r := mp(t, "top", podName("nosuchpod")); r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("top of an unknown pod: %s", r)
	}
}

// TestResourcesBadValues: resource values the API server refuses are
// refused by up with its field path and words, and nothing is left.
func TestResourcesBadValues(t *testing.T) {
	t.Parallel()
	const rp = "spec.containers[0].resources"
	for _, c := range []struct {
		name, resources, want string
	}{
		{"request-above-limit", `{requests: {cpu: "2"}, limits: {cpu: "1"}}`,
			rp + `.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`},
		{"memory-request-above-limit", `{requests: {memory: 2048Mi}, limits: {memory: 1.5Gi}}`,
			rp + `.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1536Mi`},
		{"negative", `{requests: {cpu: -100m}}`,
			rp + `.requests[cpu]: Invalid value: "-100m": must be greater than or equal to 0`},
		{"hugepages-alone", `{limits: {hugepages-2Mi: 2Mi}}`,
			rp + `: Forbidden: HugePages require cpu or memory`},
		{"extended-request-not-limit", `{requests: {example.com/foo: "1"}, limits: {example.com/foo: "2"}}`,
			rp + `.requests: Invalid value: "1": must be equal to example.com/foo limit of 2`},
		{"extended-without-limit", `{requests: {example.com/foo: "1"}}`,
			rp + `.limits: Required value: Limit must be set for non overcommitable resources`},
		{"not-a-quantity", `{limits: {memory: 1.5.5}}`,
			`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
		// "512MB" is a common slip for 512M or 512Mi; Kubernetes'
		// ParseQuantity (apimachinery) answers it with the same format
		// error: a suffix with a letter outside [eEinumkKMGTP] does not
		// match the expression.
		{"unknown-suffix", `{limits: {memory: 512MB}}`,
			`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("badres")
			r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  containers:
  - name: a
    image: busybox
    resources: {{RES}}
`, name, "RES", c.resources))
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("want refused with %q: %s", c.want, r)
			}
			if g := mp(t, "get", name); g.code == 0 {
				t.Errorf("the refused pod exists: %s", g)
			}
		})
	}
}

// TestResourcesBadNodeSettings: a bad value of a node setting the resource
// features read fails up before anything is made, naming the setting.
func TestResourcesBadNodeSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ env, want string }{
		{"MINIPOD_POD_PIDS_LIMIT=abc", `node setting pod-pids-limit = "abc"`},
		{"MINIPOD_POD_PIDS_LIMIT=-2", `node setting pod-pids-limit = "-2"`},
		{"MINIPOD_HOUSEKEEPING_INTERVAL=1ms", `node setting housekeeping-interval = "1ms"`},
		{"MINIPOD_HOUSEKEEPING_INTERVAL=soon", `node setting housekeeping-interval = "soon"`},
		{"MINIPOD_EXTENDED_RESOURCES=dongle=1", `node setting extended-resources`},
		{"MINIPOD_EXTENDED_RESOURCES=example.com/dongle=-1", `node setting extended-resources`},
		{"MINIPOD_MAX_PODS=0", `node setting max-pods = "0"`},
	} {
		t.Run(c.env, func(t *testing.T) {
			root(t)
			name := podName("badnode")
			path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  containers: [{name: a, image: busybox}]
`, name))
			// Not tryUp: its teardown would run down with the bad
			// setting too; nothing must be made to tear down.
			before := testutil.Snapshot(t, exe)
			r := mpWith(t, runOpts{env: []string{c.env}}, "up", "-d", path)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("want refused naming %q: %s", c.want, r)
				mp(t, "down", name)
			}
			if g := mp(t, "get", name); g.code == 0 {
				t.Errorf("up with a bad node setting made the pod: %s", g)
			}
			checkGone(t, name, before, nil)
		})
	}
}

// TestResourcesOOMKilledInitContainer: an init container whose child the
// OOM killer took (its shell goes on to exit 0) has failed, as the
// kubelet's isInitContainerFailed says: with restartPolicy Never the pod
// fails and its app container never starts; with Always the init
// container is restarted (and OOM killed again), the app container still
// never starting. On cgroup v2 the kill may take the whole container
// (exit code 137): the outcome is the same.
func TestResourcesOOMKilledInitContainer(t *testing.T) {
	t.Parallel()
	const pod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: {{POLICY}}
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: hog
    image: busybox
    command: ["sh", "-c", "tail /dev/zero; exit 0"]
    resources:
      limits: {memory: 20Mi}
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
`
	oomKilled := func(s *corev1.ContainerStateTerminated) bool {
		return s != nil && s.Reason == "OOMKilled" && (s.ExitCode == 0 || s.ExitCode == 137)
	}
	appNeverRan := func(t *testing.T, p *corev1.Pod) {
		t.Helper()
		if app := ctrStatus(t, p, "app"); app.State.Waiting == nil || app.RestartCount != 0 {
			t.Errorf("app container %+v: it must not have started", app)
		}
	}
	t.Run("Never", func(t *testing.T) {
		root(t)
		name := podName("oominit-never")
		requireCreated(t, name, tryUp(t, name, tmpl(pod, name, "POLICY", "Never")))
		p := waitPod(t, name, 60*time.Second, "phase Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
		if s := ctrStatus(t, p, "hog"); !oomKilled(s.State.Terminated) || s.RestartCount != 0 {
			t.Errorf("init container %+v, want terminated OOMKilled, not restarted", s)
		}
		appNeverRan(t, p)
		time.Sleep(2 * time.Second)
		appNeverRan(t, getPod(t, name))
	})
	t.Run("Always", func(t *testing.T) {
		root(t)
		name := podName("oominit-always")
		requireCreated(t, name, tryUp(t, name, tmpl(pod, name, "POLICY", "Always")))
		p := waitPod(t, name, 60*time.Second, "the init container restarted after an OOM kill", func(p *corev1.Pod) bool {
			s := ctrStatus(t, p, "hog")
			return s.RestartCount >= 1 && oomKilled(s.LastTerminationState.Terminated)
		})
		if p.Status.Phase != corev1.PodPending {
			t.Errorf("phase %s, want Pending while the init container fails", p.Status.Phase)
		}
		appNeverRan(t, p)
	})
}
