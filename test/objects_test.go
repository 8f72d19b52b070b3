package test

// ConfigMaps, Secrets and PersistentVolumeClaims kept on the node beside
// pods (issue 10): applied from any file, listed, created from files and
// literals, deleted; pods waiting for what they name; claims outliving
// their pods; Secrets kept off the disk.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const secretsPod = `apiVersion: v1
kind: Secret
metadata: {name: {{NAME}}-sec}
type: kubernetes.io/basic-auth
stringData: {password: "{{VALUE}}"}
data: {username: YWRtaW4=}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: s, secret: {secretName: {{NAME}}-sec, defaultMode: 0400}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    env: [{name: PW, valueFrom: {secretKeyRef: {name: {{NAME}}-sec, key: password}}}]
    envFrom: [{secretRef: {name: {{NAME}}-sec}, prefix: S_}]
    volumeMounts: [{name: s, mountPath: /etc/creds}]
`

// TestSecretsNeverOnDisk: a Secret's value reaches the container through
// a volume, env and envFrom, and is nowhere on a disk: not in the stored
// Secret, the pod's manifest, its bundles or state (all under a run root
// on a tmpfs), not in the pod's data tree, and the volume is a tmpfs,
// read-only in the container. `down -f` deletes the Secret with the pod.
func TestSecretsNeverOnDisk(t *testing.T) {
	root(t)
	name := podName("secret")
	value := podName("s3cr3t")
	upPod(t, name, tmpl(secretsPod, name, "VALUE", value))

	if got := strings.TrimSpace(execOut(t, name, "main", "cat", "/etc/creds/password")); got != value {
		t.Errorf("/etc/creds/password = %q, want %q", got, value)
	}
	if got := strings.TrimSpace(execOut(t, name, "main", "stat", "-L", "-c", "%a", "/etc/creds/password")); got != "400" {
		t.Errorf("mode of password file = %s, want 400 (defaultMode)", got)
	}
	env := execOut(t, name, "main", "env")
	for _, want := range []string{"PW=" + value, "S_password=" + value, "S_username=admin"} {
		if !strings.Contains(env, want+"\n") && !strings.HasSuffix(env, want) {
			t.Errorf("env lacks %s:\n%s", want, env)
		}
	}
	mi := execOut(t, name, "main", "cat", "/proc/self/mountinfo")
	if fs, opts := mountOf(mi, "/etc/creds"); fs != "tmpfs" || !strings.HasPrefix(opts, "ro") {
		t.Errorf("/etc/creds is %q mounted %q, want a read-only tmpfs", fs, opts)
	}
	if r := mp(t, "exec", name, "--", "sh", "-c", "echo x > /etc/creds/password"); r.code == 0 {
		t.Errorf("a container rewrote its secret volume")
	}

	for _, dir := range []string{"/run/minipod/" + name, "/run/minipod/.objects/secrets"} {
		if !onTmpfs(t, dir) {
			t.Errorf("%s is not on a tmpfs: the Secret would reach the disk", dir)
		}
	}
	for _, tree := range []string{"/var/lib/minipod/pods/" + name, "/var/lib/minipod/objects"} {
		if hit := grepTree(t, tree, value); hit != "" {
			t.Errorf("the secret's value is on the disk, in %s", hit)
		}
	}
	if out := mustMP(t, "get", "secrets", name+"-sec"); !strings.Contains(out, "kubernetes.io/basic-auth   2") {
		t.Errorf("get secrets:\n%s", out)
	}
	d := mustMP(t, "describe", "secret", name+"-sec")
	if !strings.Contains(d, "Type:  kubernetes.io/basic-auth") || !strings.Contains(d, "password:  "+strconv.Itoa(len(value))+" bytes") || strings.Contains(d, value) {
		t.Errorf("describe secret (sizes, never values):\n%s", d)
	}
}

// mountOf finds the filesystem type and mount options of the mount at
// path in a mountinfo text.
func mountOf(mountinfo, path string) (fstype, opts string) {
	for _, l := range lines(mountinfo) {
		pre, post, ok := strings.Cut(l, " - ")
		if f := strings.Fields(pre); ok && len(f) > 5 && f[4] == path {
			fstype, opts = strings.Fields(post)[0], f[5]
		}
	}
	return fstype, opts
}

func onTmpfs(t *testing.T, path string) bool {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(path, &fs); err != nil {
		t.Errorf("statfs %s: %v", path, err)
		return false
	}
	return fs.Type == 0x01021994 // TMPFS_MAGIC
}

// grepTree names a file below dir holding s, without following links.
func grepTree(t *testing.T, dir, s string) string {
	hit := ""
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() || hit != "" {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(s)) {
			hit = p
		}
		return nil
	})
	return hit
}

const waitingPod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: c, configMap: {name: {{NAME}}-cm}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "cat /c/greeting; echo \" $TOKEN\"; ` + idle + `"]
    env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: {{NAME}}-sec, key: token}}}]
    volumeMounts: [{name: c, mountPath: /c}]
`

// TestPodWaitsForObjects: a pod whose ConfigMap and Secret do not exist
// yet is created (up -d says it is Pending and why, exit 0), waits in
// ContainerCreating with a FailedMount event, then with
// CreateContainerConfigError, and runs once both are there: made from
// another file and with `create secret generic`.
func TestPodWaitsForObjects(t *testing.T) {
	root(t)
	name := podName("waits")
	r := tryUp(t, name, tmpl(waitingPod, name))
	t.Cleanup(func() { // before the pod's leak check
		mp(t, "delete", "configmap", name+"-cm", "--ignore-not-found")
		mp(t, "delete", "secret", name+"-sec", "--ignore-not-found")
	})
	want := `Warning: pod ` + name + ` is Pending: MountVolume.SetUp failed for volume "c" : configmap "` + name + `-cm" not found`
	if r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("up of a pod whose ConfigMap is missing: %s\nwant exit 0 and %q", r, want)
	}
	if s := status(t, name); s != "ContainerCreating" {
		t.Errorf("status %s, want ContainerCreating", s)
	}
	if d := mustMP(t, "describe", name); !strings.Contains(d, "FailedMount") {
		t.Errorf("describe shows no FailedMount event:\n%s", d)
	}
	cm := writeManifest(t, name+"-cm", tmpl("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{NAME}}-cm}\ndata: {greeting: hello}\n", name))
	if out := mustMP(t, "up", "-f", cm); !strings.Contains(out, "configmap/"+name+"-cm created") {
		t.Errorf("up of a ConfigMap alone printed %q", out)
	}
	waitStatus(t, name, "CreateContainerConfigError", 10*time.Second)
	if d := mustMP(t, "describe", name); !strings.Contains(d, `Error: secret "`+name+`-sec" not found`) {
		t.Errorf("describe shows no missing-secret event:\n%s", d)
	}
	mustMP(t, "create", "secret", "generic", name+"-sec", "--from-literal=token=t0k")
	waitStatus(t, name, "Running", 10*time.Second)
	waitLog(t, name, "main", "hello t0k", 10*time.Second)
}

const claimPod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: {{NAME}}-data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: d, persistentVolumeClaim: {claimName: {{NAME}}-data}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts: [{name: d, mountPath: /data}]
`

// TestClaimOutlivesPods: a claim's volume is made on first use (Pending,
// then Bound), keeps its data past `down` and serves it to the next pod;
// it cannot be deleted while a pod uses it, and goes with its data when
// deleted.
func TestClaimOutlivesPods(t *testing.T) {
	root(t)
	name := podName("claim")
	claim := name + "-data"
	t.Cleanup(func() { mp(t, "delete", "pvc", claim, "--ignore-not-found") })
	text := tmpl(claimPod, name)
	upPod(t, name, text)
	if out := mustMP(t, "get", "pvc", claim); !strings.Contains(out, "Bound") || !strings.Contains(out, "1Gi") || !strings.Contains(out, "RWO") {
		t.Errorf("get pvc:\n%s", out)
	}
	execOut(t, name, "main", "sh", "-c", "echo kept > /data/f")
	if d := mustMP(t, "describe", "pvc", claim); !strings.Contains(d, "Status:        Bound") || !strings.Contains(d, "Used By:       "+name) {
		t.Errorf("describe pvc:\n%s", d)
	}
	r := mp(t, "delete", "pvc", claim)
	if r.code == 0 || !strings.Contains(r.stderr, `is used by pod "`+name+`"`) {
		t.Errorf("delete of a claim in use: %s", r)
	}
	mustMP(t, "down", name)
	dirs, _ := filepath.Glob("/var/lib/minipod/volumes/pvc-*_default_" + claim)
	if len(dirs) != 1 {
		t.Fatalf("claim volume directories after down: %v", dirs)
	}
	// The second pod of the same manifest finds the data (the claim is
	// applied unchanged).
	path := writeManifest(t, name+"-again", text)
	out := mustMP(t, "up", "-d", path)
	if !strings.Contains(out, "persistentvolumeclaim/"+claim+" unchanged") {
		t.Errorf("second up printed %q", out)
	}
	if got := execOut(t, name, "main", "cat", "/data/f"); got != "kept\n" {
		t.Errorf("second pod reads %q, want kept", got)
	}
	mustMP(t, "down", name)
	mustMP(t, "delete", "pvc", claim)
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Errorf("deleting the claim left %s (%v)", dirs[0], err)
	}
}

// TestCreateConfigMapFromFiles: `create configmap` takes a directory, a
// keyed file and literals as kubectl does (text to data, other bytes to
// binaryData), refuses an existing name, and the pod sees the files;
// `get configmaps` lists it and `delete configmap` removes it.
func TestCreateConfigMapFromFiles(t *testing.T) {
	root(t)
	name := podName("cmfiles")
	dir := t.TempDir()
	for f, b := range map[string]string{"game.properties": "lives=3\n", "ui.properties": "color=red\n", "blob": "\xff\xfe"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { mp(t, "delete", "cm", name+"-cfg", "--ignore-not-found") })
	out := mustMP(t, "create", "configmap", name+"-cfg", "--from-file="+dir, "--from-file=renamed="+filepath.Join(dir, "ui.properties"), "--from-literal=mode=fast")
	if out != "configmap/"+name+"-cfg created\n" {
		t.Errorf("create printed %q", out)
	}
	if r := mp(t, "create", "configmap", name+"-cfg", "--from-literal=a=b"); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("second create: %s", r)
	}
	y := mustMP(t, "get", "configmap", name+"-cfg", "-o", "yaml")
	for _, want := range []string{"binaryData:\n  blob: //4=", "game.properties: |\n    lives=3", "mode: fast", "renamed: |\n    color=red", "kind: ConfigMap"} {
		if !strings.Contains(y, want) {
			t.Errorf("get -o yaml lacks %q:\n%s", want, y)
		}
	}
	if row := mustMP(t, "get", "cm", name+"-cfg"); !strings.Contains(row, name+"-cfg   5") {
		t.Errorf("get cm:\n%s", row)
	}
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: c, configMap: {name: {{NAME}}-cfg}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    volumeMounts: [{name: c, mountPath: /c}]
`, name))
	t.Cleanup(func() { mp(t, "delete", "cm", name+"-cfg", "--ignore-not-found") }) // before the pod's leak check
	if got := execOut(t, name, "main", "cat", "/c/game.properties", "/c/renamed"); got != "lives=3\ncolor=red\n" {
		t.Errorf("files in the pod: %q", got)
	}
}

// TestObjectsRefused: objects are checked as the API server checks them,
// naming the field; nothing is kept of a refused file, not even its valid
// objects; an immutable Secret cannot change.
func TestObjectsRefused(t *testing.T) {
	root(t)
	name := podName("objbad")
	for _, c := range []struct{ text, want string }{
		{"kind: Secret\nmetadata: {name: {{NAME}}-tls}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}\n", `data[tls.key]: Required value`},
		{"kind: Secret\nmetadata: {name: {{NAME}}-dc}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: nope}\n", `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"`},
		{"kind: Secret\nmetadata: {name: ../../etc}\n", `metadata.name: Invalid value: "../../etc"`},
		{"kind: Secret\nmetadata: {name: {{NAME}}-b64}\ndata: {k: '!!!'}\n", `data[k]: Invalid value: illegal base64 data at input byte 0`},
		{"kind: PersistentVolumeClaim\nmetadata: {name: {{NAME}}-pvc}\nspec: {resources: {requests: {storage: 1Gi}}}\n", `spec.accessModes: Required value`},
		{"kind: PersistentVolumeClaim\nmetadata: {name: {{NAME}}-pvc}\nspec: {accessModes: [ReadWriteOnce], volumeMode: Block, resources: {requests: {storage: 1Gi}}}\n", `spec.volumeMode: Unsupported value: "Block"`},
		{"kind: PersistentVolume\nmetadata: {name: {{NAME}}-pv}\n", `kind: Unsupported value: "PersistentVolume"`},
	} {
		text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{NAME}}-ok}\n---\napiVersion: v1\n" + c.text
		r := mp(t, "up", "-f", writeManifest(t, name, tmpl(text, name)))
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("up of\n%s\n%s\nwant %q", c.text, r, c.want)
		}
		if out := mp(t, "get", "cm", name+"-ok"); out.code == 0 {
			t.Errorf("a refused file's ConfigMap was kept: %s", out)
			mp(t, "delete", "cm", name+"-ok")
		}
	}
	imm := "apiVersion: v1\nkind: Secret\nmetadata: {name: {{NAME}}-imm}\nimmutable: true\nstringData: {k: {{V}}}\n"
	t.Cleanup(func() { mp(t, "delete", "secret", name+"-imm", "--ignore-not-found") })
	mustMP(t, "up", writeManifest(t, name, tmpl(imm, name, "V", "one")))
	r := mp(t, "up", writeManifest(t, name, tmpl(imm, name, "V", "two")))
	if r.code == 0 || !strings.Contains(r.stderr, "field is immutable when `immutable` is set") {
		t.Errorf("changing an immutable Secret: %s", r)
	}
}

// TestAttackSecretsOtherUsers: the Secrets' store and a secret volume are
// root's alone: a host user cannot list or read them.
func TestAttackSecretsOtherUsers(t *testing.T) {
	root(t)
	name := podName("atk-secstore")
	value := podName("hidden")
	upPod(t, name, tmpl(secretsPod, name, "VALUE", value))
	for _, p := range []string{"/run/minipod/.objects/secrets/default/" + name + "-sec.json", "/var/lib/minipod/objects"} {
		cmd := exec.Command("cat", p)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			cmd = exec.Command("ls", p)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("nobody read %s:\n%s", p, out)
		}
	}
}
