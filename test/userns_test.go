package test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// TestK8sDocsUserNamespace runs the example of the task page "Use a User
// Namespace With a Pod" (tasks/configure-pod-container/user-namespaces.md
// at 0a59de21) unchanged. The page has `readlink /proc/self/ns/user` run
// in the container differ from the host's, and `cat /proc/self/uid_map`
// end in 65536 in the container and in a bigger number on the host.
func TestK8sDocsUserNamespace(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/user-namespaces-stateless.yaml")
	waitPod(t, name, 30*time.Second, "running", allRunning)
	inside := strings.TrimSpace(execOut(t, name, "shell", "readlink", "/proc/self/ns/user"))
	host, err := os.Readlink("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inside, "user:[") || inside == host {
		t.Errorf("readlink /proc/self/ns/user in the container = %q, on the host %q: want a different namespace", inside, host)
	}
	m := uidMap(t, execOut(t, name, "shell", "cat", "/proc/self/uid_map"))
	if m[0] != 0 || m[2] != 65536 || m[1] < 65536 || m[1]%65536 != 0 {
		t.Errorf("uid_map in the container = %v, want 0 <a multiple of 65536 from 65536 up> 65536", m)
	}
	if h := uidMap(t, readFile(t, "/proc/self/uid_map")); h[2] <= 65536 {
		t.Errorf("uid_map on the host = %v, want a bigger last number", h)
	}
	// The command runs as the map's first host id, no longer as root.
	if got := hostUID(t, ctrPID(t, name, "shell")); got != m[1] {
		t.Errorf("sleep runs as host uid %d, want %d", got, m[1])
	}
}

// TestUserNamespacePod: in a pod of its own user namespace every id is
// shifted on the host and nowhere else. Files the image, the volumes (an
// image volume too) and the pod's files hold keep their owners inside; what the containers write
// into volumes is stored with the ids they wrote (idmapped mounts), what
// they write into their own root with shifted ones; a container run as
// 1000 is host uid base+1000; root inside binds port 80, pings, and
// changes its own network; exec runs in the namespace too; a second pod
// gets other ids; the pod's sysctls are set; what init creates in the
// root (a working directory) is the namespace root's.
func TestUserNamespacePod(t *testing.T) {
	root(t)
	a, b := podName("uns-a"), podName("uns-b")
	upPod(t, a, tmpl(usernsPod, a))
	upPod(t, b, tmpl(usernsPod, b))
	for _, n := range []string{a, b} {
		waitPod(t, n, 30*time.Second, "running", allRunning)
	}
	ma := uidMap(t, execOut(t, a, "web", "cat", "/proc/self/uid_map"))
	mb := uidMap(t, execOut(t, b, "web", "cat", "/proc/self/gid_map"))
	if ma[1] == mb[1] || ma[1] < mb[1] && ma[1]+ma[2] > mb[1] || mb[1] < ma[1] && mb[1]+mb[2] > ma[1] {
		t.Errorf("two pods share host ids: %v and %v", ma, mb)
	}
	base := ma[1]
	if got := execOut(t, a, "web", "id"); !strings.HasPrefix(got, "uid=0(root) gid=0(root)") {
		t.Errorf("exec id = %q, want root", got)
	}
	if got := hostUID(t, ctrPID(t, a, "user")); got != base+1000 {
		t.Errorf("runAsUser 1000 runs as host uid %d, want %d", got, base+1000)
	}
	if got := waitLog(t, a, "user", "done", 20*time.Second); !strings.Contains(got, "uid=1000 gid=0(root) groups=0(root),2000") {
		t.Errorf("user container's id: %q", got)
	}
	// Owners seen inside: the image's files, the pod's files, the config.
	owners := execOut(t, a, "web", "stat", "-c", "%n %u %g", "/etc/passwd", "/", "/etc/hosts", "/dev/shm", "/cfg/key", "/img/bin/busybox")
	for _, want := range []string{"/etc/passwd 0 0", "/ 0 0", "/etc/hosts 0 0", "/dev/shm 0 0", "/cfg/key 0 2000", "/img/bin/busybox 0 0"} {
		if !strings.Contains(owners, want+"\n") {
			t.Errorf("owners inside: want %q in\n%s", want, owners)
		}
	}
	// What was written: into the volume with the writers' ids, into the
	// root with shifted ones (seen from the host).
	vol := filepath.Join("/var/lib/minipod/pods", a, "volumes/scratch")
	for file, want := range map[string]uint32{"from-init": 0, "by-user": 1000} {
		if got := fileUID(t, filepath.Join(vol, file)); got != want {
			t.Errorf("%s in the emptyDir is host uid %d, want %d", file, got, want)
		}
	}
	if got := fileUID(t, "/proc/"+strconv.Itoa(ctrPID(t, a, "web"))+"/root/made-by-web"); got != base {
		t.Errorf("a file root made in its own root is host uid %d, want %d", got, base)
	}
	// Root of the pod's namespace: port 80, ping, its own network.
	if got := execOut(t, a, "web", "sh", "-c", "wget -qO- http://127.0.0.1/ok.txt; ping -c1 -W2 127.0.0.1 >/dev/null && echo pinged; ip addr add 10.9.9.9/32 dev lo && echo addressed"); got != "served\npinged\naddressed\n" {
		t.Errorf("root in the pod's network: %q", got)
	}
	if got := strings.TrimSpace(execOut(t, a, "web", "cat", "/proc/sys/net/ipv4/ping_group_range")); got != "0\t65535" {
		t.Errorf("the pod's sysctl: ping_group_range = %q", got)
	}
	// A terminal for exec: the container's own, its group tty (5) there.
	if r := mp(t, "exec", "-t", a, "-c", "web", "--", "sh", "-c", `stat -c "%n %u %g" $(tty)`); r.code != 0 || !regexp.MustCompile(`^/dev/pts/\d+ 0 5\r?\n$`).MatchString(r.stdout) {
		t.Errorf("exec -t: want /dev/pts/N owned by 0, group 5, got %s", r)
	}
	// A working directory the image lacks is the namespace root's, and
	// a terminal container (started behind the gate) runs.
	if got := execOut(t, a, "idle", "stat", "-c", "%n %u %g", "/made", "/made/here", "/made/here/in-workdir"); got != "/made 0 0\n/made/here 0 0\n/made/here/in-workdir 0 0\n" {
		t.Errorf("working directory made by init: %q", got)
	}
	waitLog(t, a, "term", "/dev/pts/", 20*time.Second)
	// One user namespace for the whole pod.
	if m := uidMap(t, execOut(t, a, "idle", "cat", "/proc/self/uid_map")); m[1] != base {
		t.Errorf("another container's uid_map %v: not the pod's", m)
	}
	if x, y := nsInode(t, a, "idle", "user"), nsInode(t, a, "web", "user"); x != y {
		t.Errorf("two containers of one pod in user namespaces %s and %s", x, y)
	}
}

const usernsPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  hostUsers: false
  securityContext:
    fsGroup: 2000
    sysctls:
    - {name: net.ipv4.ping_group_range, value: "0 65535"}
  volumes:
  - name: scratch
    emptyDir: {}
  - name: cfg
    configMap:
      name: {{NAME}}
  - name: img
    image:
      reference: busybox
      pullPolicy: IfNotPresent
  initContainers:
  - name: prep
    image: busybox
    command: ["sh", "-c", "echo hi > /scratch/from-init"]
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo served > /www/ok.txt && touch /made-by-web && exec httpd -f -p 80 -h /www"]
    securityContext:
      capabilities:
        add: [NET_ADMIN]
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: img, mountPath: /img}
  - name: user
    image: busybox
    command: ["sh", "-c", "id; echo x > /scratch/by-user; echo done; exec sleep 3600"]
    securityContext:
      runAsUser: 1000
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  - name: idle
    image: busybox
    workingDir: /made/here
    command: ["sh", "-c", "touch in-workdir && exec sleep 3600"]
  - name: term
    image: busybox
    tty: true
    command: ["sh", "-c", "tty; exec sleep 3600"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{NAME}}
data:
  key: value
`

// TestAttackUserNamespace: root of a pod's user namespace, given the
// capabilities that break out of a container of the host's users, no
// seccomp filter and an unmasked /proc, still holds none of them over the
// host. The same container in a pod of the host's users shows each step
// would work there (mount, mknod, a host-wide sysctl, /proc/kcore), so
// that it is the user namespace that stops them.
func TestAttackUserNamespace(t *testing.T) {
	root(t)
	steps := map[string]string{
		"mount":  "mkdir -p /tmp/m && mount -t tmpfs none /tmp/m",
		"mknod":  "mknod /tmp/disk b 8 0",
		"sysctl": "cat /proc/sys/kernel/randomize_va_space > /proc/sys/kernel/randomize_va_space",
		"kcore":  "head -c1 /proc/kcore >/dev/null",
		"chown":  "touch /tmp/f && chown 70000 /tmp/f",
	}
	// Without a user namespace /proc is masked (kcore) and /proc/sys
	// read-only: those two have no control.
	noControl := map[string]bool{"sysctl": true, "kcore": true}
	for _, hostUsers := range []bool{false, true} {
		name := podName("uns-attack")
		procMount := "Default"
		if !hostUsers {
			procMount = "Unmasked"
		}
		upPod(t, name, tmpl(usernsAttackPod, name, "HOSTUSERS", strconv.FormatBool(hostUsers), "PROCMOUNT", procMount))
		waitPod(t, name, 30*time.Second, "running", allRunning)
		for what, cmd := range steps {
			if hostUsers && noControl[what] {
				continue
			}
			r := mp(t, "exec", name, "--", "sh", "-c", cmd)
			switch {
			case !hostUsers && r.code == 0:
				t.Errorf("root of a user namespace did %s (%s): %s", what, cmd, r)
			case hostUsers && r.code != 0:
				t.Errorf("control: root of the host's users could not %s (%s), so the check proves nothing: %s", what, cmd, r)
			}
		}
	}
}

const usernsAttackPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  hostUsers: {{HOSTUSERS}}
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      procMount: {{PROCMOUNT}}
      seccompProfile: {type: Unconfined}
      capabilities:
        add: [SYS_ADMIN, MKNOD, SYS_RAWIO, SYS_MODULE, DAC_READ_SEARCH, SYS_PTRACE]
`

// TestAttackUserNSExecPath: the container's main process (root of the
// pod's user namespace, given SYS_ADMIN and no seccomp filter) makes a
// mount namespace of its own with a tmpfs over /proc, full of scripts at
// /proc/self/fd/N and /proc/self/exe, where minipod names its own
// programs. exec joins that mount namespace; it must still run minipod's
// program, never one of those as the host's root. (On the code before
// exec found minipod-init outside the container, it ran them.)
func TestAttackUserNSExecPath(t *testing.T) {
	root(t)
	name := podName("uns-execpath")
	upPod(t, name, tmpl(usernsExecPathPod, name))
	waitLog(t, name, "c", "planted", 30*time.Second)
	pid := ctrPID(t, name, "c")
	if r := mp(t, "exec", name, "--", "true"); r.code != 0 {
		t.Errorf("exec into the container: %s", r)
	}
	// Planted programs run by the container itself leave a file of the
	// namespace's root; one run by minipod, the host's root's.
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(pid)+"/root/tmp/escaped", &st); err == nil && st.Uid == 0 {
		t.Errorf("exec ran the container's planted program as the host's root")
	}
}

const usernsExecPathPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  hostUsers: false
  containers:
  - name: c
    image: busybox
    securityContext:
      seccompProfile: {type: Unconfined}
      capabilities:
        add: [SYS_ADMIN]
    command:
    - unshare
    - -m
    - sh
    - -c
    - |
      mount -t tmpfs t /proc || exit 1
      mkdir -p /proc/self/fd
      printf '#!/bin/sh\nid > /tmp/escaped\n' > /tmp/evil
      chmod 755 /tmp/evil
      for n in $(seq 0 127); do cp /tmp/evil /proc/self/fd/$n; done
      cp /tmp/evil /proc/self/exe
      echo planted
      exec /bin/sleep 3600
`

// TestUserNSWithoutInitProgram: where minipod-init is missing, minipod's
// own binary plays init, and it cannot join a user namespace (only
// minipod-init's entry point can): the container fails to start, saying
// so (`up` too, for a pod that never restarts).
func TestUserNSWithoutInitProgram(t *testing.T) {
	root(t)
	dir := t.TempDir()
	for _, prog := range []string{"minipod", "minipod-monitor", "minipod-pause", "minipod-pull", "minipod-probe"} {
		copyProgram(t, filepath.Join(filepath.Dir(exe), prog), filepath.Join(dir, prog))
	}
	bin := filepath.Join(dir, "minipod")
	name := podName("uns-noinit")
	text := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  hostUsers: false\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n"
	path := writeManifest(t, name, text)
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() { downAndCheck(t, name, before, runOpts{}) })
	const why = "hostUsers: false needs minipod-init built with its entry point"
	if out, err := exec.Command(bin, "up", "-d", path).CombinedOutput(); err == nil || !strings.Contains(string(out), why) {
		t.Errorf("up: %v, want it to fail saying %q:\n%s", err, why, out)
	}
	p := waitPod(t, name, 30*time.Second, "the container to fail", func(p *corev1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Terminated != nil
	})
	term := p.Status.ContainerStatuses[0].State.Terminated
	if term.Reason != "StartError" || !strings.Contains(term.Message, why) {
		t.Errorf("container ended %s: %q, want StartError naming minipod-init", term.Reason, term.Message)
	}
}

// uidMap parses the one line of a uid_map or gid_map.
func uidMap(t testing.TB, text string) [3]uint32 {
	t.Helper()
	f := strings.Fields(text)
	if len(f) != 3 {
		t.Fatalf("id map %q: want one line of three numbers", text)
	}
	var out [3]uint32
	for i, s := range f {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			t.Fatalf("id map %q: %v", text, err)
		}
		out[i] = uint32(n)
	}
	return out
}

// ctrPID is the host PID of a running container's process.
func ctrPID(t testing.TB, pod, ctr string) int {
	t.Helper()
	st, err := readState(pod)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Containers {
		if c.Name == ctr && c.Proc.PID > 0 {
			return c.Proc.PID
		}
	}
	t.Fatalf("pod %s: container %s has no process", pod, ctr)
	return 0
}

// hostUID is the real uid of a process, as the host sees it.
func hostUID(t testing.TB, pid int) uint32 {
	t.Helper()
	for _, l := range lines(readFile(t, "/proc/"+strconv.Itoa(pid)+"/status")) {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			n, err := strconv.ParseUint(f[1], 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			return uint32(n)
		}
	}
	t.Fatalf("no Uid line for process %d", pid)
	return 0
}

func fileUID(t testing.TB, path string) uint32 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUserNSEntryFailsClosed: minipod-init's entry point ends the process,
// saying which step failed on the status descriptor, when it cannot join
// what it was handed; Go's runtime (and with it Enter) never starts half
// joined, e.g. as the host's root in a container's mount namespace whose
// user namespace could not be joined.
func TestUserNSEntryFailsClosed(t *testing.T) {
	root(t)
	prog := filepath.Join(filepath.Dir(exe), "minipod-init")
	notNS, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer notNS.Close()
	mnt, err := os.Open("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	defer mnt.Close()
	cases := []struct {
		name      string
		user, mnt *os.File // fd 4, fd 6 (nil: none)
		want      string
	}{
		{"user namespace not a namespace", notNS, nil, "enter: join the pod's user namespace failed"},
		{"mount namespace not a namespace", notNS, notNS, "enter: join the container's mount namespace failed"},
		{"mount joined, user namespace not", notNS, mnt, "enter: join the pod's user namespace failed"},
	}
	for _, c := range cases {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(prog, "enter")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		// fds 3 (status), 4 (user), 5 (handoff: none), 6 (mount).
		cmd.ExtraFiles = []*os.File{w, c.user, nil, c.mnt}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		msg, _ := io.ReadAll(r)
		r.Close()
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%s: exit %v, want status 1", c.name, err)
		}
		if string(msg) != c.want || stderr.Len() > 0 {
			t.Errorf("%s: reported %q (stderr %q), want exactly %q from the entry point", c.name, msg, stderr.String(), c.want)
		}
	}
}

// TestUserNSEnterKeepsRuntimeFds: an enter without fd 6 (init's, not an
// exec's) must leave that number alone, for Go's runtime may have taken it
// before Enter ran: a non-blocking status pipe makes it open its epoll
// there. Closing it crashed enter at sysmon's next poll ("netpoll failed",
// exit 2) when the start took long, as under a dozen userns pods started
// at once; the large handoff here makes it take long.
func TestUserNSEnterKeepsRuntimeFds(t *testing.T) {
	root(t)
	userns := heldUserNS(t)
	// Megabytes of environment to decode; no capabilities section, so
	// Confine then fails with a report instead of running anything.
	env := make([]string, 100_000)
	for i := range env {
		env[i] = "V" + strconv.Itoa(i) + "=" + strings.Repeat("x", 80)
	}
	handoff, err := ctrinit.WriteHandoff(&specs.Process{Args: []string{"true"}, Env: env}, nil, false, false, true)
	if err != nil {
		t.Fatal(err)
	}
	defer handoff.Close()
	var status [2]int
	if err := unix.Pipe2(status[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r := os.NewFile(uintptr(status[0]), "status")
	defer r.Close()
	stderr, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	prog := filepath.Join(filepath.Dir(exe), "minipod-init")
	pid, err := syscall.ForkExec(prog, []string{"minipod", "enter"}, &syscall.ProcAttr{
		// As in a container's mount namespace, where the runtime finds no
		// cgroup CPU limit to keep open at 6 and 7: its epoll is the 6.
		Env:   []string{"GOMAXPROCS=1", "GODEBUG=containermaxprocs=0,updatemaxprocs=0"},
		Files: []uintptr{null.Fd(), null.Fd(), errW.Fd(), uintptr(status[1]), userns.Fd(), handoff.Fd()},
	})
	unix.Close(status[1])
	errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	crash, _ := io.ReadAll(stderr)
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(r)
	const want = "process has no capabilities section"
	if ws.ExitStatus() != 1 || string(msg) != want {
		t.Errorf("enter exited %d reporting %q, want 1 and %q; stderr:\n%.600s", ws.ExitStatus(), msg, want, crash)
	}
}

// TestEnterSealsInheritedFds: a descriptor that reaches minipod-init
// without anyone meaning it to (the monitor opened it without
// close-on-exec before a fork) does not reach the container's command:
// the class of leak behind runc's CVE-2024-21626. Here a directory of the
// host at fd 9, beside what enter is handed, in a real user namespace.
func TestEnterSealsInheritedFds(t *testing.T) {
	root(t)
	userns := heldUserNS(t)
	leak, err := os.Open("/etc")
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	p := &specs.Process{
		Args:            []string{"/bin/sh", "-c", "if [ -e /proc/self/fd/9 ]; then echo leaked; else echo sealed; fi"},
		Env:             []string{"PATH=/usr/bin:/bin"},
		Capabilities:    &specs.LinuxCapabilities{},
		NoNewPrivileges: true,
	}
	handoff, err := ctrinit.WriteHandoff(p, nil, true, false, true)
	if err != nil {
		t.Fatal(err)
	}
	defer handoff.Close()
	out, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	status, statusW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer status.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	none := ^uintptr(0)
	prog := filepath.Join(filepath.Dir(exe), "minipod-init")
	pid, err := syscall.ForkExec(prog, []string{"minipod", "enter"}, &syscall.ProcAttr{
		Env:   ctrinit.RuntimeEnv(),
		Files: []uintptr{null.Fd(), outW.Fd(), outW.Fd(), statusW.Fd(), userns.Fd(), handoff.Fd(), none, none, none, leak.Fd()},
	})
	outW.Close()
	statusW.Close()
	if err != nil {
		t.Fatal(err)
	}
	said, _ := io.ReadAll(out)
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(status)
	if got := strings.TrimSpace(string(said)); got != "sealed" || ws.ExitStatus() != 0 {
		t.Errorf("the command said %q and exited %d (enter reported %q), want \"sealed\" and 0", got, ws.ExitStatus(), msg)
	}
}

// heldUserNS is a user namespace mapped as minipod maps a pod's (setgroups
// allowed, for the command's groups), held by a sleep that the test's
// cleanup ends.
func heldUserNS(t *testing.T) *os.File {
	t.Helper()
	holder := exec.Command("sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: 3_000_000_000, Size: 65536}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: 3_000_000_000, Size: 65536}},
		GidMappingsEnableSetgroups: true,
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	userns, err := os.Open("/proc/" + strconv.Itoa(holder.Process.Pid) + "/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { userns.Close() })
	return userns
}
