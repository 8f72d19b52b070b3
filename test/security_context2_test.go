package test

// More securityContext tests (see security_context_test.go for the
// helpers and the identity, runAsNonRoot, fsGroup, capability and exec
// tests).

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// scPrivilegedPod: priv is privileged, named is too and names a seccomp
// profile, plain is an ordinary container for comparison.
const scPrivilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: priv
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext: {privileged: true}
  - name: named
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext: {privileged: true, seccompProfile: {type: RuntimeDefault}}
  - name: plain
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

// TestSecurityContextPrivileged: a privileged container gets what
// containerd gives it (oci.WithPrivileged, WithHostDevices): every
// capability the runtime holds, no seccomp filter even when a profile is
// named (containerd's generateSeccompSpecOpts ignores it; the seccomp page
// of the Kubernetes docs: "Privileged containers always run as
// Unconfined"), the node's devices in /dev, no masked or read-only /proc
// and /sys paths, /sys writable; main and exec'd process alike.
func TestSecurityContextPrivileged(t *testing.T) {
	root(t)
	name := podName("sc-priv")
	upPod(t, name, tmpl(scPrivilegedPod, name))
	all := scCapHex(scHostCaps(t))
	for _, ctr := range []string{"priv", "named"} {
		scCheckStatus(t, name, ctr, map[string]string{
			"CapEff": all, "CapPrm": all, "CapBnd": all, "Seccomp": "0", "NoNewPrivs": "0",
		})
	}
	scCheckStatus(t, name, "plain", map[string]string{"CapBnd": defaultCapMask, "Seccomp": "2"})

	// The node's devices, with their numbers.
	inCtr := map[string]string{}
	for _, l := range lines(execOut(t, name, "priv", "sh", "-c", `stat -c "%n %t:%T" /dev/*`)) {
		if f := strings.Fields(l); len(f) == 2 {
			inCtr[f[0]] = f[1]
		}
	}
	ents, err := os.ReadDir("/dev")
	if err != nil {
		t.Fatal(err)
	}
	devices := 0
	for _, e := range ents {
		var st unix.Stat_t
		p := "/dev/" + e.Name()
		if e.Name() == "console" || e.Name() == "ptmx" || unix.Lstat(p, &st) != nil ||
			(st.Mode&unix.S_IFMT != unix.S_IFCHR && st.Mode&unix.S_IFMT != unix.S_IFBLK) {
			continue
		}
		devices++
		if want := fmt.Sprintf("%x:%x", unix.Major(st.Rdev), unix.Minor(st.Rdev)); inCtr[p] != want {
			t.Errorf("privileged container's %s: %q, the node's device is %s", p, inCtr[p], want)
		}
	}
	if devices == 0 {
		t.Fatal("the node has no device in /dev to compare")
	}

	// The plain container has masked and read-only paths over /proc and
	// /sys (mounts below them) and a read-only /sys; priv has none.
	plain, priv := scMounts(t, name, "plain"), scMounts(t, name, "priv")
	masked := 0
	for target := range plain {
		if strings.HasPrefix(target, "/proc/") || strings.HasPrefix(target, "/sys/") {
			masked++
			if _, ok := priv[target]; ok {
				t.Errorf("privileged container has %s masked or read-only: %s", target, priv[target])
			}
		}
	}
	if masked == 0 {
		t.Errorf("the plain container masks nothing; the comparison proves nothing: %v", plain)
	}
	if !strings.HasPrefix(plain["/sys"], "ro,") || !strings.HasPrefix(priv["/sys"], "rw,") {
		t.Errorf("/sys options: plain %q (want ro), privileged %q (want rw)", plain["/sys"], priv["/sys"])
	}
}

// scMounts maps each mount target in ctr's /proc/mounts to its options.
func scMounts(t *testing.T, pod, ctr string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range lines(execOut(t, pod, ctr, "cat", "/proc/mounts")) {
		if f := strings.Fields(l); len(f) >= 4 {
			out[f[1]] = f[3]
		}
	}
	return out
}

// TestSecurityContextHostNamespaces: hostPID and hostIPC put an ordinary
// container in the node's PID and IPC namespaces: the namespace inodes
// are the host's (main process, exec'd one, describe), the container sees
// the test process and its own main process under their host PIDs, a
// SysV shared memory segment of the host, and (containerd mounts the
// node's /dev/shm with host IPC) the host's POSIX shared memory.
func TestSecurityContextHostNamespaces(t *testing.T) {
	root(t)
	name := podName("sc-hostns")
	var kb [4]byte
	_, _ = rand.Read(kb[:])
	shmID, err := unix.SysvShmGet(int(binary.BigEndian.Uint32(kb[:])>>1), 4096, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	shmFile := filepath.Join("/dev/shm", name)
	if err := os.WriteFile(shmFile, []byte("host-posix-shm"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the pod's teardown and leak check
		_, _ = unix.SysvShmCtl(shmID, unix.IPC_RMID, nil)
		os.Remove(shmFile)
	})
	upPod(t, name, scText(name, scOpts{spec: "  hostPID: true\n  hostIPC: true\n"}))

	st, err := readState(name)
	if err != nil || len(st.Containers) != 1 || st.Containers[0].Proc.PID == 0 {
		t.Fatalf("state: %+v, %v", st, err)
	}
	mainPID := strconv.Itoa(st.Containers[0].Proc.PID)
	table := describeNamespaces(t, name)
	for _, kind := range []string{"pid", "ipc"} {
		host := hostNS(t, kind)
		if got := linkInode(t, "/proc/"+mainPID+"/ns/"+kind); got != host {
			t.Errorf("main process's %s namespace %s, the host's %s", kind, got, host)
		}
		if got := nsInode(t, name, "main", kind); got != host {
			t.Errorf("exec'd process's %s namespace %s, the host's %s", kind, got, host)
		}
		if got := table["main"][kind]; got != host {
			t.Errorf("describe: main %s %s, the host's %s", kind, got, host)
		}
	}
	self, _ := os.ReadFile("/proc/self/cmdline")
	if got := execOut(t, name, "main", "cat", "/proc/"+strconv.Itoa(os.Getpid())+"/cmdline"); got != string(self) {
		t.Errorf("the test process seen from the container: %q, want %q", got, self)
	}
	if got := execOut(t, name, "main", "cat", "/proc/"+mainPID+"/cmdline"); !strings.Contains(got, "trap") {
		t.Errorf("host PID %s in the container is %q, not the container's own command", mainPID, got)
	}
	found := false
	for _, l := range lines(execOut(t, name, "main", "cat", "/proc/sysvipc/shm")) {
		if f := strings.Fields(l); len(f) > 1 && f[1] == strconv.Itoa(shmID) {
			found = true
		}
	}
	if !found {
		t.Errorf("the host's SysV shared memory segment %d is not in the container's /proc/sysvipc/shm", shmID)
	}
	if r := mp(t, "exec", name, "--", "cat", shmFile); r.code != 0 || r.stdout != "host-posix-shm" {
		t.Errorf("the host's %s (POSIX shared memory) is not the container's: %s", shmFile, r)
	}
}

// TestSecurityContextSysctls: the pod's sysctls (the kubelet's safe set,
// dotted or with slashes) hold in every container of the pod and not on
// the node; ip_unprivileged_port_start=80 lets user 1000 bind port 80 but
// not 79.
func TestSecurityContextSysctls(t *testing.T) {
	root(t)
	sysctls := map[string]string{
		"kernel/shm_rmid_forced":              "1",
		"net/ipv4/ip_unprivileged_port_start": "80",
		"net/ipv4/ping_group_range":           "0 2147483647",
		"net/ipv4/tcp_keepalive_time":         "600",
	}
	hostBefore := map[string]string{}
	for k := range sysctls {
		hostBefore[k] = scReadSysctl(t, k)
	}
	name := podName("sc-sysctl")
	upPod(t, name, scText(name, scOpts{
		podSC: `{sysctls: [{name: kernel.shm_rmid_forced, value: "1"}, {name: net.ipv4.ip_unprivileged_port_start, value: "80"},` +
			` {name: net.ipv4.ping_group_range, value: "0 2147483647"}, {name: net/ipv4/tcp_keepalive_time, value: "600"}]}`,
		ctrSC: "{runAsUser: 1000}",
		more:  "  - name: other\n    image: busybox\n    command: [\"sh\", \"-c\", \"" + idle + "\"]\n",
	}))
	for _, ctr := range []string{"main", "other"} {
		for k, want := range sysctls {
			if got := strings.Join(strings.Fields(execOut(t, name, ctr, "cat", "/proc/sys/"+k)), " "); got != want {
				t.Errorf("%s: %s = %q, want %q", ctr, k, got, want)
			}
		}
	}
	for k, before := range hostBefore {
		if got := scReadSysctl(t, k); got != before {
			t.Errorf("the node's %s changed from %q to %q", k, before, got)
		}
	}
	if r := mp(t, "exec", name, "-c", "main", "--", "nc", "-l", "-p", "79"); r.code == 0 || !strings.Contains(r.stderr, "Permission denied") {
		t.Errorf("user 1000 binding port 79: want Permission denied: %s", r)
	}
	got := execOut(t, name, "main", "sh", "-c", `nc -l -p 80 >/dev/null 2>&1 & p=$!
for i in 1 2 3 4 5 6 7 8 9 10; do netstat -ltn | grep -q ':80 ' && break; sleep 0.2; done
netstat -ltn; kill $p`)
	if !strings.Contains(got, ":80 ") {
		t.Errorf("user 1000 could not listen on port 80:\n%s", got)
	}
}

func scReadSysctl(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// scReadOnlyPod: ro has a read-only root and records whether its own
// first write to / worked; rw is the same without it.
const scReadOnlyPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: ro
    image: busybox
    command: ["sh", "-c", "if touch /from-main 2>/dev/null; then echo root-writable; else echo root-read-only; fi; ` + idle + `"]
    securityContext: {readOnlyRootFilesystem: true}
    volumeMounts: [{name: data, mountPath: /data}]
  - name: rw
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts: [{name: data, mountPath: /data}]
`

// TestSecurityContextReadOnlyRootFilesystem: even root cannot write the
// root filesystem, in the main process or an exec'd one, and neither
// /etc/hostname nor /etc/resolv.conf (containerd mounts them read-only
// then); volumes, /dev/shm and the kubelet's /etc/hosts stay writable. A
// container without the field writes its root.
func TestSecurityContextReadOnlyRootFilesystem(t *testing.T) {
	root(t)
	name := podName("sc-ro")
	upPod(t, name, tmpl(scReadOnlyPod, name))
	waitLog(t, name, "ro", "root-read-only", 20*time.Second)
	for _, cmd := range []string{"touch /x", "mkdir /newdir", "echo x >> /etc/passwd", "touch /tmp/x",
		"echo x >> /etc/hostname", "echo x >> /etc/resolv.conf"} {
		if r := mp(t, "exec", name, "-c", "ro", "--", "sh", "-c", cmd); r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("%q in the read-only container: want Read-only file system: %s", cmd, r)
		}
	}
	for _, cmd := range []string{"touch /data/x", "touch /dev/shm/x", "echo '# test' >> /etc/hosts"} {
		if r := mp(t, "exec", name, "-c", "ro", "--", "sh", "-c", cmd); r.code != 0 {
			t.Errorf("%q in the read-only container must work: %s", cmd, r)
		}
	}
	if r := mp(t, "exec", name, "-c", "rw", "--", "sh", "-c", "touch /x /data/y"); r.code != 0 {
		t.Errorf("the container without readOnlyRootFilesystem cannot write: %s", r)
	}
}

// scAcceptedPod: the AppArmor profiles minipod accepts, as fields and as the
// deprecated annotations, with procMount Default and empty seLinuxOptions.
const scAcceptedPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  annotations:
    container.apparmor.security.beta.kubernetes.io/b: unconfined
    container.apparmor.security.beta.kubernetes.io/c: runtime/default
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    appArmorProfile: {type: RuntimeDefault}
    seLinuxOptions: {}
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext: {procMount: Default, appArmorProfile: {type: Unconfined}, seLinuxOptions: {}}
  - name: b
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

// TestSecurityContextAccepted: appArmorProfile RuntimeDefault and
// Unconfined, procMount Default and empty seLinuxOptions are accepted and
// the pod runs. As the API server does on create
// (applyAppArmorVersionSkew), b's annotation, which differs from the
// pod's profile, is copied into b's field with a deprecation warning;
// c's, the same as the pod's, is neither copied nor warned about.
func TestSecurityContextAccepted(t *testing.T) {
	root(t)
	name := podName("sc-ok")
	r := tryUp(t, name, tmpl(scAcceptedPod, name))
	if r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	const warn = `metadata.annotations[container.apparmor.security.beta.kubernetes.io/%s]: deprecated since v1.30; use the "appArmorProfile" field instead`
	if !strings.Contains(r.stderr, fmt.Sprintf(warn, "b")) || strings.Contains(r.stderr, fmt.Sprintf(warn, "c")) {
		t.Errorf("up's warnings: want b's annotation deprecated, c's not:\n%s", r.stderr)
	}
	p := getPod(t, name)
	profile := func(sc *corev1.SecurityContext) string {
		if sc == nil || sc.AppArmorProfile == nil {
			return ""
		}
		return string(sc.AppArmorProfile.Type)
	}
	if sc := p.Spec.SecurityContext; sc == nil || sc.AppArmorProfile == nil || sc.AppArmorProfile.Type != corev1.AppArmorProfileTypeRuntimeDefault {
		t.Errorf("spec.securityContext %+v, want appArmorProfile RuntimeDefault", sc)
	}
	want := map[string]string{"a": "Unconfined", "b": "Unconfined", "c": ""}
	for _, c := range p.Spec.Containers {
		if got := profile(c.SecurityContext); got != want[c.Name] {
			t.Errorf("container %s appArmorProfile %q, want %q", c.Name, got, want[c.Name])
		}
	}
	if sc := p.Spec.Containers[0].SecurityContext; sc == nil || sc.ProcMount == nil || *sc.ProcMount != corev1.DefaultProcMount {
		t.Errorf("container a securityContext %+v, want procMount Default", sc)
	}
	if !allRunning(p) {
		t.Errorf("not every container runs: %+v", p.Status.ContainerStatuses)
	}
}

// scBadPod is a pod for the refusals: {{ANN}} is a flow mapping of
// annotations, {{SPEC}} more of the spec (two spaces).
const scBadPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  annotations: {{ANN}}
spec:
{{SPEC}}  securityContext: {{PODSC}}
  containers:
  - name: main
    image: busybox
    securityContext: {{CTRSC}}
`

// TestSecurityContextRefused: what the API server (or the kubelet's sysctl
// admission) refuses, and what this node cannot give (Unmasked /proc,
// AppArmor Localhost profiles, SELinux), is refused by up with the field's
// path, and leaves nothing. (" … " in want separates parts that must
// all appear.)
func TestSecurityContextRefused(t *testing.T) {
	t.Parallel()
	const noAA = `not supported: "Localhost": this node has no AppArmor to load a profile into`
	for _, c := range []struct {
		name, ann, spec, podSC, ctrSC, want string
	}{
		{"unsafe sysctl", "", "", "{sysctls: [{name: kernel.msgmax, value: '65536'}]}", "",
			`spec.securityContext.sysctls[0].name: Forbidden: SysctlForbidden: forbidden sysctl: "kernel.msgmax" not allowlisted`},
		{"node-wide sysctl", "", "", "{sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}, {name: vm.swappiness, value: '10'}]}", "",
			`spec.securityContext.sysctls[1].name: Forbidden: SysctlForbidden: forbidden sysctl: "vm.swappiness" not allowlisted`},
		{"IPC sysctl with hostIPC", "", "  hostIPC: true\n", "{sysctls: [{name: kernel.shm_rmid_forced, value: '1'}]}", "",
			`spec.securityContext.sysctls[0].name: Invalid value: "kernel.shm_rmid_forced": may not be specified when 'hostIPC' is true`},
		{"net sysctl with hostNetwork", "", "  hostNetwork: true\n", "{sysctls: [{name: net.ipv4.ping_group_range, value: '0 0'}]}", "",
			`spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.ping_group_range": may not be specified when 'hostNetwork' is true`},
		{"sysctl name", "", "", "{sysctls: [{name: 'Kernel.Bad!', value: '1'}]}", "", `spec.securityContext.sysctls[0].name: Invalid value: "Kernel.Bad!"`},
		{"no_new_privs and privileged", "", "", "", "{privileged: true, allowPrivilegeEscalation: false}",
			"spec.containers[0].securityContext: Invalid value: … cannot set `allowPrivilegeEscalation` to false and `privileged` to true"},
		{"no_new_privs and CAP_SYS_ADMIN", "", "", "", "{allowPrivilegeEscalation: false, capabilities: {add: [CAP_SYS_ADMIN]}}",
			"spec.containers[0].securityContext: Invalid value: … cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"},
		{"init container: no_new_privs and privileged", "",
			"  initContainers:\n  - name: init\n    image: busybox\n    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n", "", "",
			"spec.initContainers[0].securityContext: Invalid value: … cannot set `allowPrivilegeEscalation` to false and `privileged` to true"},
		{"procMount Unmasked", "", "", "", "{procMount: Unmasked}",
			"spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`"},
		{"AppArmor Localhost (pod)", "", "", "{appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}", "",
			"spec.securityContext.appArmorProfile.type: " + noAA},
		{"AppArmor Localhost (container)", "", "", "", "{appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}",
			"spec.containers[0].securityContext.appArmorProfile.type: " + noAA},
		{"AppArmor localhost annotation", "{container.apparmor.security.beta.kubernetes.io/main: localhost/k8s-deny-write}", "", "", "",
			`metadata.annotations[container.apparmor.security.beta.kubernetes.io/main]: not supported: "localhost/k8s-deny-write"`},
		{"AppArmor annotation and field disagree", "{container.apparmor.security.beta.kubernetes.io/main: unconfined}", "", "",
			"{appArmorProfile: {type: RuntimeDefault}}",
			"spec.containers[0].securityContext.appArmorProfile.type: Forbidden: apparmor type in annotation and field must match"},
		{"AppArmor annotation for no container", "{container.apparmor.security.beta.kubernetes.io/nope: runtime/default}", "", "", "",
			`metadata.annotations[container.apparmor.security.beta.kubernetes.io/nope]: Invalid value: "nope": container not found`},
		{"seLinuxOptions (pod)", "", "", "{seLinuxOptions: {level: 's0:c1'}}", "",
			"spec.securityContext.seLinuxOptions: not supported: this node has no SELinux"},
		{"capability name", "", "", "", "{capabilities: {add: [NOT_A_CAP]}}",
			`spec.containers[0].securityContext.capabilities.add[0]: Invalid value: "NOT_A_CAP"`},
		{"fsGroupChangePolicy", "", "", "{fsGroup: 2000, fsGroupChangePolicy: Sometimes}", "",
			`spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes"`},
		{"supplementalGroupsPolicy", "", "", "{supplementalGroupsPolicy: Loose}", "",
			`spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose"`},
		{"runAsUser range", "", "", "", "{runAsUser: 2147483648}",
			"spec.containers[0].securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive"},
		{"hostPID and shareProcessNamespace", "", "  hostPID: true\n  shareProcessNamespace: true\n", "", "",
			"spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root(t)
			name := podName("sc-bad")
			def := func(s string) string {
				if s == "" {
					return "{}"
				}
				return s
			}
			r := tryUp(t, name, tmpl(scBadPod, name, "ANN", def(c.ann), "SPEC", c.spec, "PODSC", def(c.podSC), "CTRSC", def(c.ctrSC)))
			if r.code == 0 {
				t.Errorf("accepted: %s", r)
			}
			for _, w := range strings.Split(c.want, " … ") { // the value in between is minipod's rendering
				if !strings.Contains(r.stderr, w) {
					t.Errorf("the refusal does not say %q: %s", w, r)
				}
			}
			if g := mp(t, "get", name); g.code == 0 {
				t.Errorf("a refused manifest left a pod: %s", g)
			}
		})
	}
}
