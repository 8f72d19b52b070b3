package test

// Local-storage eviction as the kubelet's eviction manager does it: every
// housekeeping interval (node setting, 500ms here instead of 10s) the
// pod's disk emptyDirs, its total and each container's ephemeral storage
// (writable layer + logs) are measured against their limits; an excess
// fails the pod (Failed, Evicted, the kubelet's message), its containers
// killed at once and never restarted.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// fastHousekeeping measures local storage every 500ms.
var fastHousekeeping = runOpts{env: []string{"MINIPOD_HOUSEKEEPING_INTERVAL=500ms"}}

// severalIntervals is long enough for a few measurements at 500ms.
const severalIntervals = 3 * time.Second

// write4MB writes 4 MB that cannot be compressed or left sparse to the
// file named by $F, then idles.
const write4MB = `head -c 4194304 /dev/urandom > $F && ` + idle

// checkEvicted waits for pod name to be evicted with message msg and checks
// what the kubelet leaves: phase Failed, reason Evicted, an Evicted event,
// every container terminated and, after several more intervals, none
// restarted (the pod has restartPolicy Always) and none running.
func checkEvicted(t *testing.T, name, msg string) {
	t.Helper()
	p := waitPod(t, name, 60*time.Second, "evicted", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	if p.Status.Reason != "Evicted" || p.Status.Message != msg {
		t.Errorf("status reason %q message %q, want Evicted %q", p.Status.Reason, p.Status.Message, msg)
	}
	if d := mustMP(t, "describe", name); !regexp.MustCompile(`Warning\s+Evicted\s+.*` + regexp.QuoteMeta(strings.TrimSpace(msg))).MatchString(d) {
		t.Errorf("describe has no Evicted event with %q:\n%s", msg, d)
	}
	t.Logf("get STATUS of the evicted pod: %q", status(t, name))
	time.Sleep(severalIntervals)
	p = getPod(t, name)
	if p.Status.Phase != corev1.PodFailed || p.Status.Reason != "Evicted" {
		t.Errorf("after a while: phase %s reason %q, want Failed Evicted", p.Status.Phase, p.Status.Reason)
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Terminated == nil || s.RestartCount != 0 {
			t.Errorf("container %s of the evicted pod: state %+v, restartCount %d; want terminated, never restarted", s.Name, s.State, s.RestartCount)
		}
		if procs := ctrCgroupProcs(t, string(p.UID), s.Name); procs != "" {
			t.Errorf("container %s of the evicted pod still has processes: %q", s.Name, procs)
		}
	}
}

// ctrCgroupProcs lists the host processes in container ctr's cgroup, in
// any hierarchy, found from /proc/*/cgroup (the cgroup itself may be gone
// with the pod's): "" for none.
func ctrCgroupProcs(t *testing.T, uid, ctr string) string {
	t.Helper()
	files, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // exited meanwhile
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasSuffix(l, "/minipod/pod"+uid+"/"+ctr) {
				out = append(out, filepath.Base(filepath.Dir(f)))
				break
			}
		}
	}
	return strings.Join(out, " ")
}

// evictionPod is a pod of busybox containers; each entry is a container's
// YAML after "- name: ", indented for the list.
func evictionPod(name, volumes string, containers ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  terminationGracePeriodSeconds: 1\n")
	if volumes != "" {
		b.WriteString("  volumes: " + volumes + "\n")
	}
	b.WriteString("  containers:\n")
	for _, c := range containers {
		b.WriteString("  - name: " + c + "\n")
	}
	return b.String()
}

// idleCtr is a container that does nothing, with an ephemeral-storage
// limit.
func idleCtr(ctrName, limit string) string {
	return ctrName + `
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    resources: {limits: {ephemeral-storage: ` + limit + `}}`
}

// TestEvictionContainerLimit: a container writing 4 MB to its root
// filesystem over its 2Mi limit, in a pod whose total (2Mi + 10Mi) it
// stays under, evicts the pod with the container's message, even with
// restartPolicy Always: nothing restarts.
func TestEvictionContainerLimit(t *testing.T) {
	root(t)
	name := podName("evictctr")
	requireCreated(t, name, tryUp(t, name, evictionPod(name, "", `writer
    image: busybox
    command: ["sh", "-c", "F=/big; `+write4MB+`"]
    resources: {limits: {ephemeral-storage: 2Mi}}`, idleCtr("other", "10Mi")), fastHousekeeping))
	checkEvicted(t, name, `Container writer exceeded its local ephemeral storage limit "2Mi". `)
}

// TestEvictionEmptyDir: 2 MB in a disk emptyDir with sizeLimit 1Mi evicts
// the pod with the emptyDir's message.
func TestEvictionEmptyDir(t *testing.T) {
	root(t)
	name := podName("evictdir")
	requireCreated(t, name, tryUp(t, name, evictionPod(name, `[{name: scratch, emptyDir: {sizeLimit: 1Mi}}]`, `writer
    image: busybox
    command: ["sh", "-c", "head -c 2097152 /dev/urandom > /scratch/f && `+idle+`"]
    volumeMounts: [{name: scratch, mountPath: /scratch}]`), fastHousekeeping))
	checkEvicted(t, name, `Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". `)
}

// TestEvictionPodLimit: a pod's only container limited to 2Mi writes 4 MB:
// the pod's total limit (the sum of its containers') is checked first, so
// the message is the pod-level one.
func TestEvictionPodLimit(t *testing.T) {
	root(t)
	name := podName("evictpod")
	requireCreated(t, name, tryUp(t, name, evictionPod(name, "", `writer
    image: busybox
    command: ["sh", "-c", "F=/big; `+write4MB+`"]
    resources: {limits: {ephemeral-storage: 2Mi}}`), fastHousekeeping))
	checkEvicted(t, name, `Pod ephemeral local storage usage exceeds the total limit of containers 2Mi. `)
}

// TestEvictionLogs: a container's logs count as its ephemeral storage: 3
// MB printed to stdout under a 2Mi limit (nothing written to disk by the
// container itself) evict the pod.
func TestEvictionLogs(t *testing.T) {
	root(t)
	name := podName("evictlog")
	requireCreated(t, name, tryUp(t, name, evictionPod(name, "", `talker
    image: busybox
    command: ["sh", "-c", "yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c 3000000 && `+idle+`"]
    resources: {limits: {ephemeral-storage: 2Mi}}`, idleCtr("other", "10Mi")), fastHousekeeping))
	checkEvicted(t, name, `Container talker exceeded its local ephemeral storage limit "2Mi". `)
}

// TestEvictionUnderLimit: pods that stay under their limits are not
// evicted: 512 KiB written with a 4Mi limit; 8 MB in a medium: Memory
// emptyDir (memory, not disk) with a 2Mi ephemeral-storage limit.
func TestEvictionUnderLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, volumes, ctr string }{
		{"under-limit", "", `writer
    image: busybox
    command: ["sh", "-c", "head -c 524288 /dev/urandom > /data && touch /tmp/done && ` + idle + `"]
    resources: {limits: {ephemeral-storage: 4Mi}}`},
		{"memory-emptydir", `[{name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}]`, `writer
    image: busybox
    command: ["sh", "-c", "head -c 8388608 /dev/urandom > /mem/f && touch /tmp/done && ` + idle + `"]
    volumeMounts: [{name: mem, mountPath: /mem}]
    resources: {limits: {ephemeral-storage: 2Mi}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("noevict")
			upPod(t, name, evictionPod(name, c.volumes, c.ctr), fastHousekeeping)
			waitPod(t, name, 30*time.Second, "running", allRunning)
			waitFor(t, 30*time.Second, "the data written", func() bool {
				return mp(t, "exec", name, "--", "test", "-e", "/tmp/done").code == 0
			})
			time.Sleep(severalIntervals)
			p := getPod(t, name)
			if p.Status.Phase != corev1.PodRunning || p.Status.Reason != "" || !allRunning(p) {
				t.Errorf("phase %s reason %q message %q, want Running and not evicted", p.Status.Phase, p.Status.Reason, p.Status.Message)
			}
			if s := ctrStatus(t, p, "writer"); s.RestartCount != 0 {
				t.Errorf("restartCount %d", s.RestartCount)
			}
			// What checkEvicted relies on to see killed containers.
			if ctrCgroupProcs(t, string(p.UID), "writer") == "" {
				t.Errorf("no process found in the running container's cgroup")
			}
			if d := mustMP(t, "describe", name); strings.Contains(d, "Evicted") {
				t.Errorf("describe shows an eviction:\n%s", d)
			}
		})
	}
}
