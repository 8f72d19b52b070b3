package test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// hostPathPod mounts a hostPath volume of each type the test could make
// (and a block device when the machine has one) into one container.
const hostPathPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: dir
    hostPath:
      path: {{DIR}}
      type: Directory
  - name: made
    hostPath:
      path: {{MADE}}
      type: DirectoryOrCreate
  - name: file
    hostPath:
      path: {{FILE}}
      type: File
  - name: newfile
    hostPath:
      path: {{NEWFILE}}
      type: FileOrCreate
  - name: sock
    hostPath:
      path: {{SOCK}}
      type: Socket
  - name: devnull
    hostPath:
      path: /dev/null
      type: CharDevice
  - name: unset
    hostPath:
      path: {{UNSET}}
{{BLOCKVOL}}  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - {name: dir, mountPath: /dir}
    - {name: dir, mountPath: /ro, readOnly: true}
    - {name: made, mountPath: /made}
    - {name: file, mountPath: /file}
    - {name: newfile, mountPath: /newfile}
    - {name: sock, mountPath: /sock}
    - {name: devnull, mountPath: /hostnull}
    - {name: unset, mountPath: /unset}
{{BLOCKMOUNT}}`

// hostPathBlockDevice is a block device node of this machine, "" if none.
func hostPathBlockDevice() string {
	entries, _ := os.ReadDir("/dev")
	for _, e := range entries {
		if e.Type()&os.ModeDevice != 0 && e.Type()&os.ModeCharDevice == 0 {
			return "/dev/" + e.Name()
		}
	}
	return ""
}

// TestHostPathTypes: each type mounts what the host has there; the
// *OrCreate types (and an unset type, as the container runtime does) make
// what is missing, 0755 or 0644; readOnly refuses writes; up warns for
// every hostPath volume and describe shows them as kubectl does.
func TestHostPathTypes(t *testing.T) {
	root(t)
	d := t.TempDir()
	p := map[string]string{
		"DIR": filepath.Join(d, "dir"), "MADE": filepath.Join(d, "made", "sub"), "FILE": filepath.Join(d, "file"),
		"NEWFILE": filepath.Join(d, "new.txt"), "SOCK": filepath.Join(d, "sock"), "UNSET": filepath.Join(d, "unset"),
		"BLOCKVOL": "", "BLOCKMOUNT": "",
	}
	if err := os.Mkdir(p["DIR"], 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p["DIR"], "hello"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p["FILE"], []byte("host file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", p["SOCK"])
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	blk := hostPathBlockDevice()
	if blk != "" {
		p["BLOCKVOL"] = "  - name: blk\n    hostPath:\n      path: " + blk + "\n      type: BlockDevice\n"
		p["BLOCKMOUNT"] = "    - {name: blk, mountPath: /blk}\n"
	}
	var vars []string
	for k, v := range p {
		vars = append(vars, k, v)
	}
	name := podName("hostpath")
	r := tryUp(t, name, tmpl(hostPathPod, name, vars...))
	if r.code != 0 {
		t.Fatalf("up failed: %s", r)
	}

	t.Run("warnings", func(t *testing.T) {
		for i, v := range []string{p["DIR"], p["MADE"], p["FILE"], p["NEWFILE"], p["SOCK"], "/dev/null", p["UNSET"]} {
			want := "Warning: spec.volumes[" + string(rune('0'+i)) + "].hostPath: volume "
			if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "gives the pod access to the host's "+v+"; PodSecurity's baseline level forbids hostPath volumes") {
				t.Errorf("up's warnings do not name volume %d (%s):\n%s", i, v, r.stderr)
			}
		}
	})
	t.Run("types", func(t *testing.T) {
		if got := execOut(t, name, "c", "cat", "/dir/hello", "/file"); got != "from the host\nhost file\n" {
			t.Errorf("read %q through Directory and File volumes", got)
		}
		checks := "test -d /made && test -f /newfile && test -S /sock && test -c /hostnull && test -d /unset"
		if blk != "" {
			checks += " && test -b /blk"
		}
		if r := mp(t, "exec", name, "-c", "c", "--", "sh", "-c", checks); r.code != 0 {
			t.Errorf("a mount is not what its type says: %s", r)
		}
	})
	t.Run("created", func(t *testing.T) {
		for path, want := range map[string]os.FileMode{p["MADE"]: os.ModeDir | 0o755, filepath.Dir(p["MADE"]): os.ModeDir | 0o755,
			p["UNSET"]: os.ModeDir | 0o755, p["NEWFILE"]: 0o644} {
			if info, err := os.Stat(path); err != nil || info.Mode() != want {
				t.Errorf("%s on the host: %v %v, want %v", path, info.Mode(), err, want)
			}
		}
		execOut(t, name, "c", "sh", "-c", "echo from the pod > /made/f && echo written > /newfile")
		if b, err := os.ReadFile(filepath.Join(p["MADE"], "f")); err != nil || string(b) != "from the pod\n" {
			t.Errorf("the host reads %q, %v from the DirectoryOrCreate volume", b, err)
		}
		if b, err := os.ReadFile(p["NEWFILE"]); err != nil || string(b) != "written\n" {
			t.Errorf("the host reads %q, %v from the FileOrCreate volume", b, err)
		}
	})
	t.Run("readOnly", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "c", "--", "sh", "-c", "echo x > /ro/hello")
		if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("a write in a readOnly hostPath mount: %s", r)
		}
		if b, _ := os.ReadFile(filepath.Join(p["DIR"], "hello")); string(b) != "from the host\n" {
			t.Errorf("the host's file is now %q", b)
		}
	})
	t.Run("describe", func(t *testing.T) {
		desc := mustMP(t, "describe", name)
		for _, v := range []struct{ name, path, typ string }{{"dir", p["DIR"], "Directory"}, {"newfile", p["NEWFILE"], "FileOrCreate"}, {"unset", p["UNSET"], ""}} {
			re := regexp.MustCompile(`(?m)^  ` + v.name + `:\n    Type:\s+HostPath \(bare host directory volume\)\n    Path:\s+` +
				regexp.QuoteMeta(v.path) + `\n    HostPathType:\s*` + v.typ + `\n`)
			if !re.MatchString(desc) {
				t.Errorf("describe does not show volume %s as kubectl does:\n%s", v.name, desc)
			}
		}
	})
}

// hostPathWaitPod has a Directory volume on what the test makes a file,
// and a DirectoryOrCreate volume through a dangling link.
const hostPathWaitPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: notdir
    hostPath:
      path: {{NOTDIR}}
      type: Directory
  - name: link
    hostPath:
      path: {{LINK}}
      type: DirectoryOrCreate
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - {name: notdir, mountPath: /a}
    - {name: link, mountPath: /b}
`

// TestHostPathMismatch: a path that is not of its type keeps the pod's
// containers from starting, as on a node: FailedMount events in the
// kubelet's words, STATUS ContainerCreating; nothing is ever made through
// a dangling link. Once the host has the right things, the pod starts.
func TestHostPathMismatch(t *testing.T) {
	root(t)
	d := t.TempDir()
	notdir, link, target := filepath.Join(d, "notdir"), filepath.Join(d, "link"), filepath.Join(d, "nowhere", "target")
	if err := os.WriteFile(notdir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	name := podName("hostpath-mismatch")
	r := tryUp(t, name, tmpl(hostPathWaitPod, name, "NOTDIR", notdir, "LINK", link))
	wantMsg := `MountVolume.SetUp failed for volume "notdir" : hostPath type check failed: ` + notdir + ` is not a directory, it's a File`
	if !strings.Contains(r.stdout+r.stderr, wantMsg) {
		t.Errorf("up does not say why the pod waits (%q): %s", wantMsg, r)
	}
	if got := status(t, name); got != "ContainerCreating" {
		t.Errorf("STATUS %q, want ContainerCreating", got)
	}
	desc := mustMP(t, "describe", name)
	for _, want := range []string{wantMsg, `MountVolume.SetUp failed for volume "link" : hostPath ` + link + ` is a symbolic link whose target is missing`} {
		if !regexp.MustCompile(`Warning\s+FailedMount\s+.*` + regexp.QuoteMeta(want)).MatchString(desc) {
			t.Errorf("describe has no FailedMount event %q:\n%s", want, desc)
		}
	}
	if _, err := os.Lstat(filepath.Dir(target)); !os.IsNotExist(err) {
		t.Errorf("something was made where the dangling link points: %v", err)
	}
	// The node is fixed: the mounts are tried again and the pod starts.
	if err := os.Remove(notdir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(notdir, 0o755); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, name, "Running", 30*time.Second)
}

// TestHostPathNodeSetting: allow-host-path-volumes = false refuses a pod
// with a hostPath volume before anything is made, naming the field.
func TestHostPathNodeSetting(t *testing.T) {
	root(t)
	made := filepath.Join(t.TempDir(), "never")
	name := podName("hostpath-refused")
	text := tmpl(hostPathWaitPod, name, "NOTDIR", made, "LINK", made+"2")
	o := runOpts{env: []string{"MINIPOD_ALLOW_HOST_PATH_VOLUMES=false"}}
	r := refusedUp(t, name, text, o)
	want := "pod " + name + ": spec.volumes[0].hostPath: Forbidden: this node does not allow hostPath volumes (node setting allow-host-path-volumes = false)"
	if r.code == 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "spec.volumes[1].hostPath: Forbidden") {
		t.Errorf("up with hostPath volumes refused: want %q, got %s", want, r)
	}
	if _, err := os.Stat(made + "2"); !os.IsNotExist(err) {
		t.Errorf("a refused pod's DirectoryOrCreate path was made: %v", err)
	}
	o.env = []string{"MINIPOD_ALLOW_HOST_PATH_VOLUMES=maybe"}
	if r := mpWith(t, o, "up", "-d", writeManifest(t, name, text)); r.code == 0 || !strings.Contains(r.stderr, `node setting allow-host-path-volumes = "maybe"`) {
		t.Errorf("a bad setting: %s", r)
	}
}

// hostPathAttackPod: "admin" may mount (CAP_SYS_ADMIN, which the default
// seccomp profile then lets through), "plain" has the default
// capabilities; both see the same host directory, read-write and
// read-only.
const hostPathAttackPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: host
    hostPath:
      path: {{DIR}}
      type: Directory
  containers:
  - name: admin
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    securityContext:
      capabilities:
        add: ["SYS_ADMIN"]
    volumeMounts:
    - {name: host, mountPath: /h}
  - name: plain
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - {name: host, mountPath: /ro, readOnly: true}
`

// TestHostPathAttack: a mount made under a hostPath inside a container
// never reaches the host (mountPropagation None: the container's mounts
// are private), and a container cannot make its readOnly hostPath
// writable again.
func TestHostPathAttack(t *testing.T) {
	root(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	name := podName("hostpath-attack")
	upPod(t, name, tmpl(hostPathAttackPod, name, "DIR", dir))

	t.Run("propagation", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "admin", "--", "sh", "-c", "mount -t tmpfs evil /h/sub && echo planted > /h/sub/x && cat /h/sub/x")
		if r.code != 0 || r.stdout != "planted\n" {
			t.Fatalf("the container could not even mount in its own namespace: %s", r)
		}
		mi, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(mi), filepath.Join(dir, "sub")) {
			t.Errorf("the container's mount reached the host:\n%s", mi)
		}
		if _, err := os.Stat(filepath.Join(dir, "sub", "x")); !os.IsNotExist(err) {
			t.Errorf("the host sees the container's tmpfs file: %v", err)
		}
	})
	t.Run("readOnly", func(t *testing.T) {
		for _, cmd := range []string{"mount -o remount,rw /ro", "mount -o remount,bind,rw /ro", "touch /ro/x"} {
			if r := mp(t, "exec", name, "-c", "plain", "--", "sh", "-c", cmd); r.code == 0 {
				t.Errorf("%q succeeded in the readOnly hostPath: %s", cmd, r)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
			t.Errorf("a file appeared in the host directory: %v", err)
		}
	})
}

const fqdnPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  hostname: {{HOST}}
  subdomain: sub
  setHostnameAsFQDN: true
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

// TestSetHostnameAsFQDN: the pod's processes see its fully qualified name
// as their hostname (uname, /etc/hostname, $HOSTNAME); /etc/hosts keeps
// the short name beside it. A name too long for the kernel is refused at
// up with the kubelet's message, and nothing is made.
func TestSetHostnameAsFQDN(t *testing.T) {
	root(t)
	name := podName("fqdn")
	upPod(t, name, tmpl(fqdnPod, name, "HOST", "web"))
	fqdn := "web.sub.default.svc.cluster.local"
	got := execOut(t, name, "c", "sh", "-c", `hostname; cat /etc/hostname; echo "$HOSTNAME"`)
	if got != fqdn+"\n"+fqdn+"\n"+fqdn+"\n" {
		t.Errorf("hostname, /etc/hostname, $HOSTNAME: %q, want %s each", got, fqdn)
	}
	if hosts := execOut(t, name, "c", "cat", "/etc/hosts"); !regexp.MustCompile(`(?m)^\S+\t` + regexp.QuoteMeta(fqdn) + `\tweb$`).MatchString(hosts) {
		t.Errorf("/etc/hosts has no line IP<TAB>%s<TAB>web:\n%s", fqdn, hosts)
	}

	long := podName("fqdn-long")
	host := strings.Repeat("h", 40)
	r := refusedUp(t, long, tmpl(fqdnPod, long, "HOST", host), runOpts{})
	want := "spec.setHostnameAsFQDN: Invalid value: true: failed to construct FQDN from pod hostname and cluster domain, FQDN " +
		host + ".sub.default.svc.cluster.local is too long (64 characters is the max, 70 characters requested)"
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("up of a pod whose FQDN is too long: want %q, got %s", want, r)
	}
}

// refusedUp runs `up -d` on a manifest that must be refused and checks
// that nothing of the pod was made.
func refusedUp(t *testing.T, name, text string, o runOpts) result {
	t.Helper()
	before := testutil.Snapshot(t, exe)
	r := mpWith(t, o, "up", "-d", writeManifest(t, name, text))
	if g := mp(t, "get", name); g.code == 0 {
		t.Errorf("the refused pod exists: %s", g)
	}
	checkGone(t, name, before, nil)
	return r
}
