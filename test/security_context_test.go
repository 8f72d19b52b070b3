package test

// End-to-end tests of the securityContext fields minipod applies, each
// checked where a Kubernetes user sees it: /proc/PID/status of the
// container's main process and of an exec'd one, `get -o json`,
// `describe`, and what the processes can and cannot do. The expected
// values are Kubernetes' (kubelet + containerd + runc), not minipod's own.
// security_context2_test.go has the rest (privileged, host namespaces,
// sysctls, read-only root, accepted and refused fields).

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestSecurityContextIdentity: the user, group and supplementary groups of
// the main process and of an exec'd one, and status user.linux, for the
// ways Kubernetes combines runAsUser, runAsGroup, fsGroup,
// supplementalGroups and supplementalGroupsPolicy with the image's USER,
// /etc/passwd and /etc/group (containerd's WithUser, WithAdditionalGIDs).
func TestSecurityContextIdentity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name         string
		imageUser    *string // non-nil: the scUserImage with this USER ("" none)
		podSC, ctrSC string
		want         scID
	}{
		{"image default is root", nil, "{}", "{}", scID{"0", "0", "0"}},
		{"container runAsUser wins over the pod's", nil,
			"{runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}", "{runAsUser: 2000}", scID{"2000", "3000", "3000 4000"}},
		{"container runAsGroup wins over the pod's", nil,
			"{runAsUser: 1000, runAsGroup: 3000}", "{runAsGroup: 5000}", scID{"1000", "5000", "5000"}},
		// busybox's /etc/passwd has nginx:x:101:101.
		{"runAsUser takes its group from the image's passwd", nil, "{runAsUser: 101}", "{}", scID{"101", "101", "101"}},
		// No passwd entry and no runAsGroup: group root, as the API documents.
		{"runAsUser unknown to the image gets group 0", nil, "{runAsUser: 1000}", "{}", scID{"1000", "0", "0"}},
		{"fsGroup joins the supplementary groups", nil,
			"{runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000]}", "{}", scID{"1000", "3000", "2000 3000 4000"}},
		{"image USER by name with its /etc/group memberships", scStr("app"), "{}", "{}", scID{"1000", "1000", "1000 50000 50001"}},
		{"numeric image USER passes runAsNonRoot", scStr("1000"), "{runAsNonRoot: true}", "{}", scID{"1000", "1000", "1000 50000 50001"}},
		{"runAsUser wins over the image's USER", scStr("app"), "{}", "{runAsUser: 0}", scID{"0", "0", "0"}},
		{"Merge adds the image's groups of runAsUser", scStr(""),
			"{runAsUser: 1000, supplementalGroups: [4000], supplementalGroupsPolicy: Merge}", "{}", scID{"1000", "1000", "1000 4000 50000 50001"}},
		{"Strict keeps only the pod's groups", scStr(""),
			"{runAsUser: 1000, fsGroup: 2000, supplementalGroups: [4000], supplementalGroupsPolicy: Strict}", "{}", scID{"1000", "1000", "1000 2000 4000"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("sc-id")
			image, opts := "busybox", runOpts{}
			if c.imageUser != nil {
				image, opts = privateImage, scUserImage(t, *c.imageUser)
			}
			upPod(t, name, scText(name, scOpts{image: image, podSC: c.podSC, ctrSC: c.ctrSC}), opts)
			scCheckID(t, name, "main", c.want)
		})
	}
}

// TestSecurityContextRunAsNonRoot: a container whose user would be root
// (or cannot be proven not to be) is never started: it waits with
// CreateContainerConfigError and the kubelet's message, in get, get -o
// json and describe (a Warning Failed event), and no process of it runs.
// A non-root runAsUser, or the container's runAsNonRoot: false over the
// pod's true, lets it start.
func TestSecurityContextRunAsNonRoot(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name         string
		imageUser    *string
		podSC, ctrSC string
		msg          string // the kubelet's message, %q the pod (format.Pod); "" = starts
		want         scID
	}{
		{"root image", nil, "{runAsNonRoot: true}", "{}",
			"container has runAsNonRoot and image will run as root (pod: %q, container: main)", scID{}},
		{"runAsUser 0", nil, "{runAsNonRoot: true}", "{runAsUser: 0}",
			"container's runAsUser breaks non-root policy (pod: %q, container: main)", scID{}},
		{"image user by name", scStr("app"), "{}", "{runAsNonRoot: true}",
			"container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: %q, container: main)", scID{}},
		{"non-root runAsUser", nil, "{runAsNonRoot: true, runAsUser: 1000}", "{}", "", scID{"1000", "0", "0"}},
		{"container's false wins over the pod's true", nil, "{runAsNonRoot: true}", "{runAsNonRoot: false}", "", scID{"0", "0", "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("sc-nonroot")
			image, opts := "busybox", runOpts{}
			if c.imageUser != nil {
				image, opts = privateImage, scUserImage(t, *c.imageUser)
			}
			text := scText(name, scOpts{image: image, podSC: c.podSC, ctrSC: c.ctrSC})
			if c.msg == "" {
				upPod(t, name, text, opts)
				scCheckID(t, name, "main", c.want)
				return
			}
			r := tryUp(t, name, text, opts)
			if r.code == 0 {
				t.Errorf("up -d succeeded although the container cannot start: %s", r)
			}
			if g := mp(t, "get", name); g.code != 0 {
				t.Fatalf("the pod must exist (Kubernetes creates it, the kubelet refuses the container): %s\nup: %s", g, r)
			}
			scCheckConfigError(t, name, "main", c.msg)
		})
	}
}

// scCheckConfigError checks that container ctr of pod name waits with
// CreateContainerConfigError and the kubelet's message msgFmt (%q is
// format.Pod: name_namespace(uid)), never ran, and that describe shows it.
func scCheckConfigError(t *testing.T, name, ctr, msgFmt string) {
	t.Helper()
	row := waitStatus(t, name, "CreateContainerConfigError", 30*time.Second)
	if row["READY"] != "0/1" || restarts(t, row) != 0 {
		t.Errorf("get: %v, want READY 0/1, RESTARTS 0", row)
	}
	p := getPod(t, name)
	msg := fmt.Sprintf(msgFmt, name+"_default("+string(p.UID)+")")
	if p.Status.Phase != corev1.PodPending {
		t.Errorf("phase %s, want Pending", p.Status.Phase)
	}
	s := ctrStatus(t, p, ctr)
	if w := s.State.Waiting; w == nil || w.Reason != "CreateContainerConfigError" || w.Message != msg {
		t.Errorf("state %+v,\nwant waiting CreateContainerConfigError with the kubelet's message %q", s.State, msg)
	}
	if s.RestartCount != 0 || s.Started == nil || *s.Started || s.LastTerminationState.Terminated != nil {
		t.Errorf("container %s has run: %+v", ctr, s)
	}
	if st, err := readState(name); err == nil {
		for _, c := range st.Containers {
			if c.Proc.PID != 0 {
				t.Errorf("container %s got a process (pid %d)", c.Name, c.Proc.PID)
			}
		}
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "Error: "+msg) {
		t.Errorf("describe has no Warning Failed event %q:\n%s", "Error: "+msg, d)
	}
}

// scFSGroupPod runs, as user 1000, a container with a disk and a memory
// emptyDir and a configMap whose only file is 0400 root's, after an init
// container (root) has left a 0660 file in the disk volume. {{POLICY}}
// completes the pod's securityContext.
const scFSGroupPod = `apiVersion: v1
kind: ConfigMap
metadata: {name: {{NAME}}-fsg}
data: {key: only-through-fsgroup}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000{{POLICY}}}
  volumes:
  - {name: disk, emptyDir: {}}
  - {name: mem, emptyDir: {medium: Memory}}
  - {name: cm, configMap: {name: {{NAME}}-fsg, defaultMode: 0400}}
  initContainers:
  - name: init
    image: busybox
    command: ["sh", "-c", "echo from-init > /disk/shared && chmod 0660 /disk/shared"]
    securityContext: {runAsUser: 0}
    volumeMounts: [{name: disk, mountPath: /disk}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts: [{name: disk, mountPath: /disk}, {name: mem, mountPath: /mem}, {name: cm, mountPath: /cm}]
`

// TestSecurityContextFSGroup: fsGroup gives every volume to the group as
// the kubelet does (SetVolumeOwnership): directories setgid and group
// rwx, files group r (configMaps, read-only) or rw; so user 1000 reads a
// 0400 configMap file and writes a root's 0660 file only through the
// group, and what anyone creates there belongs to the group. Always and
// OnRootMismatch do the same here: the volumes are new, so their root
// never already matches.
func TestSecurityContextFSGroup(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{"", "Always", "OnRootMismatch"} {
		t.Run("policy "+policy, func(t *testing.T) {
			root(t)
			name := podName("sc-fsgroup")
			pol := ""
			if policy != "" {
				pol = ", fsGroupChangePolicy: " + policy
			}
			upPod(t, name, tmpl(scFSGroupPod, name, "POLICY", pol))
			for path, want := range map[string]string{
				"/disk":        "drwxrwsrwx 0 2000",
				"/mem":         "drwxrwsrwt 0 2000",
				"/cm/key":      "-r--r----- 0 2000",
				"/disk/shared": "-rw-rw---- 0 2000",
			} {
				if got := strings.TrimSpace(execOut(t, name, "main", "stat", "-L", "-c", "%A %u %g", path)); got != want {
					t.Errorf("%s: %q, want %q", path, got, want)
				}
			}
			if got := execOut(t, name, "main", "cat", "/cm/key"); got != "only-through-fsgroup" {
				t.Errorf("user 1000 reads the 0440 configMap file as %q", got)
			}
			got := execOut(t, name, "main", "sh", "-c",
				"echo app >> /disk/shared && cat /disk/shared && touch /disk/new /mem/new && stat -c '%u %g' /disk/new /mem/new")
			if want := "from-init\napp\n1000 2000\n1000 2000\n"; got != want {
				t.Errorf("writing the volumes as user 1000 printed %q, want %q", got, want)
			}
			got = ""
			if p := getPod(t, name).Spec.SecurityContext; p != nil && p.FSGroupChangePolicy != nil {
				got = string(*p.FSGroupChangePolicy)
			}
			if got != policy {
				t.Errorf("get -o json: spec.securityContext.fsGroupChangePolicy %q, the manifest's %q", got, policy)
			}
		})
	}
}

// TestSecurityContextCapabilities: capabilities.add and .drop on
// containerd's 14 defaults (a80425fb), names with or without CAP_, in any
// case, and ALL (containerd: ALL added means every capability the runtime
// itself holds). Main and exec'd process alike; a non-root user keeps only
// the bounding set (execve as non-root clears the rest); ambient and
// inheritable sets stay empty. Probes show the capabilities at work.
func TestSecurityContextCapabilities(t *testing.T) {
	t.Parallel()
	const netAdmin = "ip link set lo down && ip link set lo up"
	const chown = "touch /tmp/f && chown 1 /tmp/f"
	for _, c := range []struct {
		name          string
		podSC, ctrSC  string
		eff, bnd      uint64
		nnp           string
		works, denied []string // shell commands that must succeed / fail
	}{
		{"add and drop by any spelling", "{}", "{capabilities: {add: [net_admin, CAP_SYS_TIME], drop: [Chown]}}",
			0xaa0435fa, 0xaa0435fa, "0", []string{netAdmin}, []string{chown}},
		{"drop ALL", "{}", "{capabilities: {drop: [ALL]}}", 0, 0, "0", nil, []string{chown, netAdmin}},
		{"drop ALL then add one", "{}", "{capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}", 0x400, 0x400, "0", nil, []string{chown}},
		{"add ALL then drop one", "{}", "{capabilities: {add: [ALL], drop: [NET_RAW]}}",
			scHostCaps(t) &^ (1 << 13), scHostCaps(t) &^ (1 << 13), "0", []string{netAdmin, chown}, nil},
		// init and exec set the user's groups after the capabilities:
		// containerd and runc set them first, so dropping SETGID is fine.
		{"drop SETGID", "{}", "{capabilities: {drop: [SETGID]}}", 0xa80425bb, 0xa80425bb, "0", nil, nil},
		// The Pod Security Standards' restricted profile.
		{"restricted profile", "{runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}",
			"{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}", 0, 0, "1", nil, []string{netAdmin}},
		{"non-root keeps only the bounding set", "{runAsUser: 1000}", "{capabilities: {add: [NET_ADMIN]}}",
			0, 0xa80435fb, "0", nil, []string{netAdmin}},
		// The API server refuses only the literal CAP_SYS_ADMIN with
		// allowPrivilegeEscalation: false; SYS_ADMIN passes and both apply.
		{"SYS_ADMIN with allowPrivilegeEscalation false", "{}", "{allowPrivilegeEscalation: false, capabilities: {add: [SYS_ADMIN]}}",
			0xa82425fb, 0xa82425fb, "1", []string{"mkdir -p /mnt/t && mount -t tmpfs none /mnt/t"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("sc-caps")
			upPod(t, name, scText(name, scOpts{podSC: c.podSC, ctrSC: c.ctrSC}))
			want := map[string]string{
				"CapEff": scCapHex(c.eff), "CapPrm": scCapHex(c.eff), "CapBnd": scCapHex(c.bnd),
				"CapInh": scCapHex(0), "CapAmb": scCapHex(0), "NoNewPrivs": c.nnp,
			}
			scCheckStatus(t, name, "main", want)
			for _, cmd := range c.works {
				if r := mp(t, "exec", name, "--", "sh", "-c", cmd); r.code != 0 {
					t.Errorf("%q must work: %s", cmd, r)
				}
			}
			for _, cmd := range c.denied {
				if r := mp(t, "exec", name, "--", "sh", "-c", cmd); r.code == 0 || !strings.Contains(r.stderr, "not permitted") {
					t.Errorf("%q must fail with EPERM: %s", cmd, r)
				}
			}
		})
	}
}

// scExecPod: restricted runs as 1000:3000 with fsGroup, supplementary
// groups, no_new_privs and changed capabilities under the default
// seccomp profile; unconfined is root without a seccomp filter. No
// resources: a BestEffort pod.
const scExecPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {fsGroup: 2000, supplementalGroups: [4000]}
  containers:
  - name: restricted
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext:
      runAsUser: 1000
      runAsGroup: 3000
      allowPrivilegeEscalation: false
      capabilities: {add: [NET_ADMIN], drop: [CHOWN]}
  - name: unconfined
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext: {seccompProfile: {type: Unconfined}}
`

// TestSecurityContextExec: an exec'd process runs exactly as the
// container's main process: user, groups, capabilities, no_new_privs,
// seccomp mode and the OOM score of the pod's QoS class (BestEffort:
// 1000).
func TestSecurityContextExec(t *testing.T) {
	root(t)
	name := podName("sc-exec")
	upPod(t, name, tmpl(scExecPod, name))
	scCheckStatus(t, name, "restricted", map[string]string{
		"Uid": "1000 1000 1000 1000", "Gid": "3000 3000 3000 3000", "Groups": "2000 3000 4000",
		"CapEff": scCapHex(0), "CapPrm": scCapHex(0), "CapBnd": "00000000a80435fa", "CapAmb": scCapHex(0),
		"NoNewPrivs": "1", "Seccomp": "2",
	})
	scCheckStatus(t, name, "unconfined", map[string]string{
		"Uid": "0 0 0 0", "Groups": "0 2000 4000", "CapEff": defaultCapMask, "CapBnd": defaultCapMask, "NoNewPrivs": "0", "Seccomp": "0",
	})
	if q := getPod(t, name).Status.QOSClass; q != corev1.PodQOSBestEffort {
		t.Errorf("qosClass %s, want BestEffort", q)
	}
	// The score must be the exec'd command's from its first instruction
	// (runc sets it before the exec): cat reads its own at once, and is
	// asked several times, since a score set only after the exec is seen
	// in a fraction of the runs (and whatever the command forks meanwhile
	// keeps the wrong one).
	for _, ctr := range []string{"restricted", "unconfined"} {
		if got := strings.TrimSpace(execOut(t, name, ctr, "cat", "/proc/1/oom_score_adj")); got != "1000" {
			t.Errorf("%s: main process oom_score_adj %q, want 1000 (BestEffort)", ctr, got)
		}
		seen := map[string]int{}
		for range 15 {
			seen[strings.TrimSpace(execOut(t, name, ctr, "cat", "/proc/self/oom_score_adj"))]++
		}
		if len(seen) != 1 || seen["1000"] == 0 {
			t.Errorf("%s: exec'd processes read their oom_score_adj as %v (value: times), want always 1000 (BestEffort)", ctr, seen)
		}
	}
}

// ---- helpers of the securityContext tests ----

// scOpts fills scPodTemplate: image (default busybox), the pod's and the
// container's securityContext as YAML flow mappings (default {}), more of
// the pod spec (indented two spaces) and of the container (four).
type scOpts struct {
	image, podSC, ctrSC, spec, more string
}

const scPodTemplate = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {{PODSC}}
{{SPEC}}  containers:
  - name: main
    image: {{IMAGE}}
    command: ["sh", "-c", "` + idle + `"]
    securityContext: {{CTRSC}}
{{MORE}}`

func scText(name string, o scOpts) string {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	return tmpl(scPodTemplate, name, "IMAGE", def(o.image, "busybox"), "PODSC", def(o.podSC, "{}"),
		"CTRSC", def(o.ctrSC, "{}"), "SPEC", o.spec, "MORE", o.more)
}

// scUserImage makes privateImage a busybox whose /etc/passwd has app
// (1000:1000), whose /etc/group lists app in extra (50000) and other
// (50001), and whose config names user (none when ""): something for
// image users and supplementalGroupsPolicy Merge to resolve. It returns
// the options that select its private store.
func scUserImage(t *testing.T, user string) runOpts {
	t.Helper()
	store := privateBusybox(t, "/")
	img := filepath.Join(store, "e2e", "busybox", "v1")
	files := map[string]string{
		"rootfs/etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
		"rootfs/etc/group":  "root:x:0:\napp:x:1000:\nextra:x:50000:app\nother:x:50001:nobody,app\nnogroup:x:65534:\n",
		"config.json":       `{"Env":["` + defaultPath + `"],"Cmd":["sh"],"WorkingDir":"/","User":` + strconv.Quote(user) + `}`,
	}
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(img, f), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return runOpts{env: []string{"MINIPOD_IMAGES=" + store}}
}

// scID is an identity as /proc/PID/status shows it: uid and gid (real,
// effective, saved and filesystem alike) and the supplementary groups,
// sorted by the kernel, the gid among them (containerd adds it).
type scID struct{ uid, gid, groups string }

// scCheckID checks the identity of container ctr's main process (PID 1),
// of an exec'd process and in status user.linux.
func scCheckID(t *testing.T, pod, ctr string, want scID) {
	t.Helper()
	all := func(v string) string { return strings.TrimSpace(strings.Repeat(v+" ", 4)) }
	scCheckStatus(t, pod, ctr, map[string]string{"Uid": all(want.uid), "Gid": all(want.gid), "Groups": want.groups})
	s := ctrStatus(t, getPod(t, pod), ctr)
	if s.User == nil || s.User.Linux == nil {
		t.Fatalf("status.containerStatuses[%s].user.linux is missing", ctr)
	}
	u := s.User.Linux
	var groups []string
	for _, g := range u.SupplementalGroups {
		groups = append(groups, strconv.FormatInt(g, 10))
	}
	got := scID{strconv.FormatInt(u.UID, 10), strconv.FormatInt(u.GID, 10), strings.Join(groups, " ")}
	if got != want {
		t.Errorf("status user.linux %+v, want %+v", got, want)
	}
}

// scCheckStatus compares fields of /proc/PID/status (whitespace
// normalised) of container ctr's PID 1 and of an exec'd process (cat
// reading its own) with want.
func scCheckStatus(t *testing.T, pod, ctr string, want map[string]string) {
	t.Helper()
	for _, who := range []struct{ what, pid string }{{"main process", "1"}, {"exec'd process", "self"}} {
		st := procStatus(t, pod, ctr, who.pid)
		for k, w := range want {
			if got := strings.Join(strings.Fields(st[k]), " "); got != w {
				t.Errorf("%s of %s/%s: %s %q, want %q", who.what, pod, ctr, k, got, w)
			}
		}
	}
}

// scHostCaps is the effective capability set of the test process, i.e. of
// the root that runs minipod: what containerd grants for privileged and
// capabilities.add: [ALL] (WithAllCurrentCapabilities, cap.Current).
func scHostCaps(t *testing.T) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(statusLine(string(b), "CapEff"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func scCapHex(n uint64) string { return fmt.Sprintf("%016x", n) }

func scStr(s string) *string { return &s }
