package test

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const imageConfig = `{"Entrypoint":["/entry.sh"],"Cmd":["from-cmd"],"WorkingDir":"/srv",
"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello","WHO=image"]}`

const entryScript = `#!/bin/sh
echo "args=$* pwd=$(pwd) greeting=$GREETING who=$WHO"
trap 'exit 0' TERM
while true; do sleep 1; done
`

const imagePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: plain
    image: e2e/entry:v1
  - name: withargs
    image: e2e/entry:v1
    args: ["x", "y"]
    env:
    - name: WHO
      value: pod
  - name: withcmd
    image: e2e/entry:v1
    command: ["/entry.sh", "c"]
    workingDir: /tmp
`

// TestImageConfig: a crafted image in a private store (MINIPOD_IMAGES);
// its Entrypoint, Cmd, Env and WorkingDir combine with the container's
// command, args, env and workingDir the way Kubernetes does.
func TestImageConfig(t *testing.T) {
	root(t)
	store := t.TempDir()
	dir := filepath.Join(store, "e2e", "entry", "v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", "/var/lib/minipod/images/busybox/latest/rootfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp busybox rootfs: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rootfs", "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "entry.sh"), []byte(entryScript), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(imageConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	env := runOpts{env: []string{"MINIPOD_IMAGES=" + store}}

	name := podName("image")
	upPod(t, name, tmpl(imagePod, name), env)
	want := map[string]string{
		"plain":    "args=from-cmd pwd=/srv greeting=hello who=image\n",
		"withargs": "args=x y pwd=/srv greeting=hello who=pod\n",
		"withcmd":  "args=c pwd=/tmp greeting=hello who=image\n",
	}
	for c, w := range want {
		var got string
		waitFor(t, 30*time.Second, c+"'s first line", func() bool {
			got = mpWith(t, env, "logs", name, "-c", c).stdout
			return got != ""
		})
		if got != w {
			t.Errorf("%s logged %q, want %q", c, got, w)
		}
	}
	// exec gets the container's environment and working directory.
	if got := mpWith(t, env, "exec", name, "-c", "withargs", "--", "sh", "-c", `echo "$(pwd) $WHO"`); got.stdout != "/srv pod\n" {
		t.Errorf("exec in withargs: %s, want \"/srv pod\"", got)
	}
	// Without MINIPOD_IMAGES the image is unknown.
	other := podName("image-missing")
	r := tryUp(t, other, tmpl(imagePod, other))
	if r.code == 0 {
		t.Errorf("up found e2e/entry:v1 outside its store: %s", r)
	} else if !strings.Contains(r.stderr, "e2e/entry:v1") {
		t.Errorf("up: want an error naming the image, got %s", r)
	}
}

// sleeperPod runs one container of IMAGE that sleeps; {{POLICY}} is an
// optional imagePullPolicy line.
const sleeperPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: {{IMAGE}}
    command: ["sleep", "3600"]{{POLICY}}
`

// policyLine is the imagePullPolicy line of sleeperPod ("" for none).
func policyLine(policy string) string {
	if policy == "" {
		return ""
	}
	return "\n    imagePullPolicy: " + policy
}

var shortLayerLine = regexp.MustCompile(`(?m)^([0-9a-f]{12}): (done \(.*\)|already exists)$`)

// TestImagePullRunRmi: a three-layer image (busybox, a layer adding files,
// a layer with whiteouts and an opaque directory) pushed to a registry on
// 127.0.0.1 is pulled with progress, listed by `images` with its digest,
// runs a pod whose root shows the whiteouts applied, cannot be removed
// while the pod uses it, and can be once the pod is down.
func TestImagePullRunRmi(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	repo := "test/" + uniq("layers")
	add := layerOf(t,
		dirEntry("data"), fileEntry("data/keep.txt", "keep\n"), fileEntry("data/gone.txt", "gone\n"),
		dirEntry("opq"), fileEntry("opq/lower.txt", "lower\n"),
		dirEntry("opq/sub"), fileEntry("opq/sub/deep.txt", "deep\n"),
		fileEntry("stamp2", randomText(32))) // a new layer every run
	del := layerOf(t,
		dirEntry("data"), whiteoutEntry("data", "gone.txt"),
		dirEntry("bin"), whiteoutEntry("bin", "vi"), // a symlink of the busybox layer
		dirEntry("opq"), opaqueEntry("opq"), fileEntry("opq/upper.txt", "upper\n"),
		fileEntry("stamp3", randomText(32)))
	img := buildImage(t, v1.Config{Env: []string{defaultPath}, Cmd: []string{"sh"}}, busyboxLayer(t), add, del)
	digest := digestOf(t, img)
	ref := reg.push(t, repo+":v1", img)
	rmiAtEnd(t, ref)

	r := mpWith(t, reg.env(), "pull", ref)
	if r.code != 0 {
		t.Fatalf("pull: %s", r)
	}
	if !strings.Contains(r.stdout, "Digest: "+digest) {
		t.Errorf("pull does not print the digest %s: %s", digest, r)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{}
	for _, m := range shortLayerLine.FindAllStringSubmatch(r.stderr, -1) {
		shown[m[1]] = m[2]
	}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		st, ok := shown[d.Hex[:12]]
		switch {
		case !ok:
			t.Errorf("pull shows no final line for layer %d (%s): %s", i, d.Hex[:12], r)
		case i > 0 && !strings.HasPrefix(st, "done"): // layers 1 and 2 are new
			t.Errorf("layer %d: %q, want done", i, st)
		}
	}

	row, ok := findImage(t, reg.host+"/"+repo, "v1")
	if !ok {
		t.Fatalf("images does not list %s:\n%s", ref, mustMP(t, "images", "--no-trunc"))
	}
	if row.digest != digest {
		t.Errorf("images --no-trunc: digest %s, want %s", row.digest, digest)
	}
	if out := mustMP(t, "images"); !strings.Contains(out, digest[:len("sha256:")+12]) {
		t.Errorf("images lacks the short digest %s:\n%s", digest[:len("sha256:")+12], out)
	}

	name := podName("pulled")
	upPod(t, name, tmpl(sleeperPod, name, "IMAGE", ref, "POLICY", ""), reg.env())
	if got := execOut(t, name, "c", "cat", "/data/keep.txt"); got != "keep\n" {
		t.Errorf("/data/keep.txt = %q, want keep", got)
	}
	if got := execOut(t, name, "c", "ls", "-A", "/data"); got != "keep.txt\n" {
		t.Errorf("ls -A /data = %q, want only keep.txt (gone.txt whited out)", got)
	}
	if got := execOut(t, name, "c", "ls", "-A", "/opq"); got != "upper.txt\n" {
		t.Errorf("ls -A /opq = %q, want only upper.txt (opaque directory)", got)
	}
	if got := execOut(t, name, "c", "sh", "-c", "if [ -e /bin/vi ] || [ -L /bin/vi ]; then echo vi; else echo no-vi; fi; ls /bin/cat"); got != "no-vi\n/bin/cat\n" {
		t.Errorf("/bin/vi whited out, /bin/cat kept: got %q", got)
	}

	r = mp(t, "rmi", ref)
	if r.code == 0 || !strings.Contains(r.stderr, name) {
		t.Errorf("rmi of an image a pod uses: want a failure naming pod %s, got %s", name, r)
	}
	if _, ok := findImage(t, reg.host+"/"+repo, "v1"); !ok {
		t.Errorf("the refused rmi removed the image anyway")
	}
	if r := mp(t, "down", name); r.code != 0 {
		t.Fatalf("down: %s", r)
	}
	r = mp(t, "rmi", ref)
	if r.code != 0 || !strings.Contains(r.stdout, "Untagged: ") {
		t.Errorf("rmi after down: %s", r)
	}
	if _, ok := findImage(t, reg.host+"/"+repo, "v1"); ok {
		t.Errorf("images still lists %s after rmi", ref)
	}
}

// configPod runs the config image five ways; all containers exit.
const configPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: plain
    image: {{IMAGE}}
  - name: args
    image: {{IMAGE}}
    args: ["echo args $FOO $BAR $(pwd)"]
  - name: command
    image: {{IMAGE}}
    command: ["/bin/echo", "cmd"]
  - name: both
    image: {{IMAGE}}
    command: ["/bin/echo"]
    args: ["both", "x"]
  - name: env
    image: {{IMAGE}}
    workingDir: /tmp
    env:
    - name: FOO
      value: pod
  - name: expand
    image: {{IMAGE}}
    command: ["/bin/echo"]
    args: ["$(FOO)|$(BAR)|$(HOSTNAME)|$(PATH)|$(MINE)"]
    env:
    - name: MINE
      value: mine
`

// TestImageConfigPulled: a pulled image's Entrypoint, Cmd, Env and
// WorkingDir combine with the container's command, args, env and
// workingDir by Kubernetes' rules: command replaces Entrypoint and drops
// Cmd, args replace Cmd, container env wins over image env. $(VAR) in
// command and args names the container's own variables only, as the
// kubelet expands it: the image's env and HOSTNAME stay as written.
func TestImageConfigPulled(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	cfg := v1.Config{
		Entrypoint: []string{"/bin/sh", "-c"},
		Cmd:        []string{"echo img-cmd $FOO $BAR $(pwd)"},
		Env:        []string{defaultPath, "FOO=img", "BAR=img"},
		WorkingDir: "/work",
	}
	img := buildImage(t, cfg, busyboxLayer(t), layerOf(t, dirEntry("work"), fileEntry("stamp", randomText(32))))
	ref := reg.push(t, "test/"+uniq("config")+":v1", img)
	rmiAtEnd(t, ref)

	name := podName("imgcfg")
	upPod(t, name, tmpl(configPod, name, "IMAGE", ref), reg.env())
	waitStatus(t, name, "Completed", 60*time.Second)
	want := map[string]string{
		"plain":   "img-cmd img img /work\n",
		"args":    "args img img /work\n",
		"command": "cmd\n",
		"both":    "both x\n",
		"env":     "img-cmd pod img /tmp\n",
		"expand":  "$(FOO)|$(BAR)|$(HOSTNAME)|$(PATH)|mine\n",
	}
	for c, w := range want {
		if got := mustMP(t, "logs", name, "-c", c); got != w {
			t.Errorf("container %s logged %q, want %q", c, got, w)
		}
	}
}

// TestImageUser: the image's User runs the container: numeric uid:gid,
// and names resolved in the image's /etc/passwd and /etc/group.
func TestImageUser(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	bb := filepath.Join(imagesRoot, "busybox", "latest", "rootfs")
	passwd, err := os.ReadFile(filepath.Join(bb, "etc", "passwd"))
	if err != nil {
		t.Fatal(err)
	}
	group, err := os.ReadFile(filepath.Join(bb, "etc", "group"))
	if err != nil {
		t.Fatal(err)
	}
	users := layerOf(t, dirEntry("etc"),
		fileEntry("etc/passwd", string(passwd)+"app:x:1234:2345:app:/home/app:/bin/sh\n"),
		fileEntry("etc/group", string(group)+"appgrp:x:2345:\nother:x:3456:\n"),
		fileEntry("stamp", randomText(32)))
	repo := "test/" + uniq("user")
	cases := []struct{ user, want string }{
		{"1000:1000", "uid=1000 gid=1000\n"},
		{"app", "uid=1234 gid=2345\n"},
		{"app:other", "uid=1234 gid=3456\n"},
		{"1234:appgrp", "uid=1234 gid=2345\n"},
	}
	var ctrs strings.Builder
	var refs []string
	for i, c := range cases {
		img := buildImage(t, v1.Config{
			Env:  []string{defaultPath},
			Cmd:  []string{"sh", "-c", "echo uid=$(id -u) gid=$(id -g)"},
			User: c.user,
		}, busyboxLayer(t), users)
		ref := reg.push(t, fmt.Sprintf("%s:u%d", repo, i), img)
		refs = append(refs, ref)
		fmt.Fprintf(&ctrs, "  - name: u%d\n    image: %s\n", i, ref)
	}
	rmiAtEnd(t, refs...)
	name := podName("imguser")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
`, name) + ctrs.String()
	upPod(t, name, text, reg.env())
	waitStatus(t, name, "Completed", 60*time.Second)
	for i, c := range cases {
		if got := mustMP(t, "logs", name, "-c", fmt.Sprintf("u%d", i)); got != c.want {
			t.Errorf("image User %q: container printed %q, want %q", c.user, got, c.want)
		}
	}
}

// TestImagePullPolicy: IfNotPresent (explicit, or the default for a tag
// other than latest) and Never use the stored image without asking the
// registry; Always (explicit, or the default for :latest) asks for the
// manifest again but fetches no blob the store has; Never with a missing
// image is ErrImageNeverPull.
func TestImagePullPolicy(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	img := buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t), layerOf(t, fileEntry("stamp", randomText(32))))
	repo := "test/" + uniq("policy")
	v1Ref := reg.push(t, repo+":v1", img)
	latest := reg.push(t, repo+":latest", img)
	rmiAtEnd(t, v1Ref, latest)
	for _, ref := range []string{v1Ref, latest} {
		if r := mpWith(t, reg.env(), "pull", "-q", ref); r.code != 0 {
			t.Fatalf("pull: %s", r)
		}
	}
	for _, tc := range []struct {
		tag, policy string
		pulls       bool
	}{
		{"v1", "IfNotPresent", false},
		{"v1", "", false},
		{"v1", "Never", false},
		{"v1", "Always", true},
		{"latest", "", true},
	} {
		reg.reset()
		ref := reg.ref(repo + ":" + tc.tag)
		name := podName("policy-" + tc.tag + "-" + strings.ToLower(tc.policy))
		what := fmt.Sprintf(":%s with policy %q", tc.tag, tc.policy)
		if r := upWithin(t, name, tmpl(sleeperPod, name, "IMAGE", ref, "POLICY", policyLine(tc.policy)), reg.env(), 20*time.Second); r.code != 0 {
			t.Errorf("%s: up: %s", what, r)
			if n := reg.count("GET", "/manifests/"); n > 1 {
				t.Errorf("%s: meanwhile the registry saw %d manifest GETs (one pull was due)", what, n)
			}
			mp(t, "down", name) // stop whatever it is doing now
			continue
		}
		manifests := reg.count("GET", "/manifests/") + reg.count("HEAD", "/manifests/")
		desc := mustMP(t, "describe", name)
		if tc.pulls {
			if reg.count("GET", "/manifests/"+tc.tag) == 0 {
				t.Errorf("%s: the registry saw no manifest GET", what)
			}
			if n := reg.count("GET", "/blobs/"); n != 0 {
				t.Errorf("%s: %d blob GETs for an image the store has: %v", what, n, sortedKeys(reg.requests("GET", "/blobs/")))
			}
			if !strings.Contains(desc, "Successfully pulled image") {
				t.Errorf("%s: describe lacks Successfully pulled image:\n%s", what, desc)
			}
		} else {
			if manifests != 0 {
				t.Errorf("%s: the registry saw %d manifest requests, want none", what, manifests)
			}
			if want := `Container image "` + ref + `" already present on machine and can be accessed by the pod`; !strings.Contains(desc, want) {
				t.Errorf("%s: describe lacks %q:\n%s", what, want, desc)
			}
		}
		if st := status(t, name); st != "Running" {
			t.Errorf("%s: STATUS %s, want Running", what, st)
		}
	}

	// Always pulls again before every start, restarts included.
	reg.reset()
	name := podName("policy-restart")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: {{IMAGE}}
    imagePullPolicy: Always
    command: ["sleep", "1"]
`, name, "IMAGE", v1Ref)
	if r := upWithin(t, name, text, reg.env(), 20*time.Second); r.code != 0 {
		t.Errorf("Always, restarting container: up: %s", r)
		mp(t, "down", name)
	} else {
		waitFor(t, 40*time.Second, "a restart of the Always container", func() bool {
			return restarts(t, getRow(t, name)) >= 1
		})
		// The restart is counted when it is decided; its pull follows.
		waitFor(t, 20*time.Second, "a second manifest GET (the restart's pull)", func() bool {
			return reg.count("GET", "/manifests/v1") >= 2
		})
	}

	// Never and missing: ErrImageNeverPull, and the registry is not asked.
	reg.reset()
	missing := reg.ref(repo + ":nosuch")
	name = podName("policy-never")
	r := tryUp(t, name, tmpl(sleeperPod, name, "IMAGE", missing, "POLICY", policyLine("Never")), reg.env())
	if r.code == 0 || !strings.Contains(r.stderr, `spec.containers[0].image "`+missing+`"`) || !strings.Contains(r.stderr, "ErrImageNeverPull") {
		t.Errorf("up with Never and a missing image: %s", r)
	}
	if st := status(t, name); st != "ErrImageNeverPull" {
		t.Errorf("STATUS %s, want ErrImageNeverPull", st)
	}
	if n := reg.count("GET", "/nosuch") + reg.count("HEAD", "/nosuch"); n != 0 {
		t.Errorf("with Never the registry was asked %d times", n)
	}
}

// TestImagePullFailure: plain HTTP only to listed registries; an image the
// registry does not have makes `up -d` fail naming the field and the
// registry's message, the pod shows ErrImagePull then ImagePullBackOff,
// the pull is retried after the back-off, and `down` leaves nothing.
func TestImagePullFailure(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	repo := "test/" + uniq("fail")
	ref := reg.push(t, repo+":v1", buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t)))
	rmiAtEnd(t, ref)

	r := mp(t, "pull", ref)
	if r.code == 0 || !strings.Contains(r.stderr, "insecure") {
		t.Errorf("pull over plain HTTP from an unlisted registry: want a failure telling to list it as insecure, got %s", r)
	}
	if r := mp(t, "pull", "-q", "--insecure-registry", reg.host, ref); r.code != 0 {
		t.Errorf("pull --insecure-registry: %s", r)
	}
	r = mpWith(t, reg.env(), "pull", reg.ref(repo+":nosuch"))
	if r.code == 0 || !strings.Contains(r.stderr, "MANIFEST_UNKNOWN") {
		t.Errorf("pull of a missing tag: want the registry's MANIFEST_UNKNOWN, got %s", r)
	}

	missing := reg.ref("test/" + uniq("nosuch") + ":v1")
	name := podName("pullfail")
	reg.reset()
	r = tryUp(t, name, tmpl(sleeperPod, name, "IMAGE", missing, "POLICY", ""), reg.env())
	if r.code == 0 || !strings.Contains(r.stderr, `spec.containers[0].image "`+missing+`"`) || !strings.Contains(r.stderr, "NAME_UNKNOWN") {
		t.Errorf("up with an image the registry lacks: want a failure naming spec.containers[0].image and NAME_UNKNOWN, got %s", r)
	}
	if st := status(t, name); st != "ErrImagePull" && st != "ImagePullBackOff" {
		t.Errorf("STATUS %s, want ErrImagePull or ImagePullBackOff", st)
	}
	waitStatus(t, name, "ImagePullBackOff", 20*time.Second)
	desc := mustMP(t, "describe", name)
	if !strings.Contains(desc, `Failed to pull image "`+missing+`"`) || !strings.Contains(desc, "NAME_UNKNOWN") {
		t.Errorf("describe lacks the failed pull with the registry's message:\n%s", desc)
	}
	p := getPod(t, name)
	if s := ctrStatus(t, p, "c"); s.State.Waiting == nil || s.State.Waiting.Reason != "ImagePullBackOff" {
		t.Errorf("container state %+v, want waiting ImagePullBackOff", s.State)
	}
	first := reg.count("GET", "/manifests/")
	if first == 0 {
		t.Fatalf("the registry saw no manifest GET")
	}
	waitFor(t, 25*time.Second, "the pull to be retried after the back-off", func() bool {
		return reg.count("GET", "/manifests/") > first
	})
}

// TestImageCorruptBlob: a blob whose content does not match its digest is
// refused and not stored; once the registry serves it right, pull works.
func TestImageCorruptBlob(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	l := layerOf(t, fileEntry("stamp", randomText(4096)))
	ref := reg.push(t, "test/"+uniq("corrupt")+":v1", buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t), l))
	rmiAtEnd(t, ref)
	d, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	reg.corruptBlob(d.String())
	r := mpWith(t, reg.env(), "pull", ref)
	if r.code == 0 {
		t.Fatalf("pull of a corrupted blob succeeded: %s", r)
	}
	if !strings.Contains(r.stderr, d.String()) || !strings.Contains(r.stderr, "checksum") && !strings.Contains(r.stderr, "digest") {
		t.Errorf("pull: want an error naming the blob %s and the digest mismatch: %s", d, r)
	}
	if _, err := os.Stat(filepath.Join(imagesRoot, "_oci", "blobs", "sha256", d.Hex)); err == nil {
		t.Errorf("the corrupted blob %s was stored", d)
	}
	if _, ok := findImage(t, strings.TrimSuffix(ref, ":v1"), "v1"); ok {
		t.Errorf("images lists %s after a failed pull", ref)
	}
	reg.mu.Lock()
	delete(reg.corrupt, d.String())
	reg.mu.Unlock()
	if r := mpWith(t, reg.env(), "pull", ref); r.code != 0 {
		t.Errorf("pull once the blob is served right: %s", r)
	}
}

// TestImageMultiArch: an index with an image for another architecture
// listed first and one for this machine; a pod from the index (by tag and
// by digest) runs this machine's image.
func TestImageMultiArch(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	stamp := randomText(32)
	cfg := v1.Config{Env: []string{defaultPath}}
	mine := buildImage(t, cfg, busyboxLayer(t), layerOf(t, fileEntry("arch", runtime.GOARCH+"\n"), fileEntry("stamp", stamp)))
	theirs := buildImageArch(t, other, cfg, busyboxLayer(t), layerOf(t, fileEntry("arch", other+"\n"), fileEntry("stamp", stamp)))
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: theirs, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: other}}},
		mutate.IndexAddendum{Add: mine, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
	)
	repo := "test/" + uniq("multi")
	ref := reg.pushIndex(t, repo+":v1", idx)
	idxDigest := digestOf(t, idx)
	byDigest := reg.ref(repo + "@" + idxDigest)
	rmiAtEnd(t, ref, byDigest)

	name := podName("multiarch")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: tag
    image: {{TAG}}
    command: ["sleep", "3600"]
  - name: digest
    image: {{DIGEST}}
    command: ["sleep", "3600"]
`, name, "TAG", ref, "DIGEST", byDigest)
	upPod(t, name, text, reg.env())
	for _, c := range []string{"tag", "digest"} {
		if got := execOut(t, name, c, "cat", "/arch"); got != runtime.GOARCH+"\n" {
			t.Errorf("container %s: /arch = %q, want %s", c, got, runtime.GOARCH)
		}
	}
	if row, ok := findImage(t, reg.host+"/"+repo, "v1"); !ok || row.digest != idxDigest {
		t.Errorf("images: %s:v1 → %+v (listed %v), want the index digest %s", repo, row, ok, idxDigest)
	}
	theirsDigest := digestOf(t, theirs)
	if n := reg.count("GET", "/manifests/"+theirsDigest); n != 0 {
		t.Errorf("the %s image's manifest was fetched %d times", other, n)
	}
}

// TestImageConcurrentPulls: two pods, then two `minipod pull` processes,
// pulling one new image at the same time download each blob once.
func TestImageConcurrentPulls(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	newImage := func() v1.Image {
		return buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t),
			layerOf(t, fileEntry("big", randomText(2<<20))),
			layerOf(t, fileEntry("small", randomText(64))))
	}
	// Slow blobs make the two pulls overlap.
	reg.setBlobDelay(400 * time.Millisecond)
	check := func(what string, img v1.Image) {
		t.Helper()
		cfgName, err := img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{cfgName.String()}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range layers {
			d, err := l.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 { // the busybox layer may be in the store from before
				want = append(want, d.String())
			}
		}
		got := reg.requests("GET", "/blobs/")
		for _, d := range want {
			n := 0
			for p, c := range got {
				if strings.HasSuffix(p, "/"+d) {
					n += c
				}
			}
			if n != 1 {
				t.Errorf("%s: blob %s was fetched %d times, want once (blob GETs: %v)", what, d, n, got)
			}
		}
		for p, c := range got {
			if c > 1 {
				t.Errorf("%s: %s fetched %d times", what, p, c)
			}
		}
	}

	img := newImage()
	ref := reg.push(t, "test/"+uniq("conc-pods")+":v1", img)
	rmiAtEnd(t, ref)
	names := []string{podName("conc"), podName("conc")}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = tryUp(t, n, tmpl(sleeperPod, n, "IMAGE", ref, "POLICY", ""), reg.env())
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Errorf("concurrent up: %s", r)
		}
	}
	check("two pods", img)

	img = newImage()
	ref = reg.push(t, "test/"+uniq("conc-pull")+":v1", img)
	rmiAtEnd(t, ref)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = mpWith(t, reg.env(), "pull", ref)
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Errorf("concurrent pull: %s", r)
		}
	}
	check("two pull processes", img)
}

// TestImageLoad: a docker-save archive and an OCI layout archive are
// loaded into the store; pods run from them without any registry.
func TestImageLoad(t *testing.T) {
	root(t)
	dir := t.TempDir()
	cfg := v1.Config{Env: []string{defaultPath}}

	dockerName := "e2e/" + uniq("loaded") + ":v1"
	tag, err := name.NewTag(dockerName)
	if err != nil {
		t.Fatal(err)
	}
	dockerImg := buildImage(t, cfg, busyboxLayer(t), layerOf(t, fileEntry("loaded", "from docker-save\n"), fileEntry("stamp", randomText(32))))
	dockerTar := filepath.Join(dir, "docker.tar")
	if err := tarball.WriteToFile(dockerTar, tag, dockerImg); err != nil {
		t.Fatal(err)
	}

	ociName := "e2e/" + uniq("loaded-oci") + ":v2"
	ociImg := buildImage(t, cfg, busyboxLayer(t), layerOf(t, fileEntry("loaded", "from oci layout\n"), fileEntry("stamp", randomText(32))))
	lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(ociImg, layout.WithAnnotations(map[string]string{"io.containerd.image.name": "docker.io/" + ociName})); err != nil {
		t.Fatal(err)
	}
	data, err := tarTree(filepath.Join(dir, "layout"))
	if err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(dir, "oci.tar")
	if err := os.WriteFile(ociTar, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rmiAtEnd(t, dockerName, ociName)

	for _, c := range []struct{ file, ref string }{{dockerTar, dockerName}, {ociTar, ociName}} {
		r := mp(t, "load", "-i", c.file)
		if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: ") || !strings.Contains(r.stdout, strings.TrimSuffix(c.ref, ":v1")) {
			t.Errorf("load -i %s: %s", filepath.Base(c.file), r)
		}
	}
	if _, ok := findImage(t, strings.Split(dockerName, ":")[0], "v1"); !ok {
		t.Errorf("images does not list %s after load", dockerName)
	}
	name := podName("loaded")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: docker
    image: {{DOCKER}}
    imagePullPolicy: Never
    command: ["sleep", "3600"]
  - name: oci
    image: {{OCI}}
    command: ["sleep", "3600"]
`, name, "DOCKER", dockerName, "OCI", ociName)
	upPod(t, name, text)
	if got := execOut(t, name, "docker", "cat", "/loaded"); got != "from docker-save\n" {
		t.Errorf("docker: /loaded = %q", got)
	}
	if got := execOut(t, name, "oci", "cat", "/loaded"); got != "from oci layout\n" {
		t.Errorf("oci: /loaded = %q", got)
	}
}

// TestImageSeedMC1Pulled: the seed's mc1 with nginx and debian pulled from
// the test registry (the project's directory images pushed there) instead
// of the directory images.
func TestImageSeedMC1Pulled(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	start := time.Now()
	refs := map[string]string{}
	for _, x := range []struct{ dir, repo string }{
		{"nginx/latest", "library/nginx:1"},
		{"debian/bookworm", "library/debian:1"},
	} {
		img, err := dirImage(t, filepath.Join(imagesRoot, x.dir))
		if err != nil {
			t.Fatalf("image of %s: %v", x.dir, err)
		}
		refs[x.dir] = reg.push(t, x.repo, img)
	}
	t.Logf("nginx and debian pushed in %v", time.Since(start).Round(time.Millisecond))
	rmiAtEnd(t, refs["nginx/latest"], refs["debian/bookworm"])

	name := podName("mc1-pulled")
	text := fixture(t, "mc1.yaml", name)
	text = strings.Replace(text, "image: nginx\n", "image: "+refs["nginx/latest"]+"\n", 1)
	text = strings.Replace(text, "image: debian\n", "image: "+refs["debian/bookworm"]+"\n", 1)
	start = time.Now()
	upPod(t, name, text, reg.env())
	t.Logf("up -d with the pulls took %v", time.Since(start).Round(time.Millisecond))
	if n := reg.count("GET", "/manifests/"); n < 2 {
		t.Errorf("the registry saw %d manifest GETs, want the two images pulled", n)
	}

	checkMC1(t, name)
	// nginx runs from the image's Cmd.
	if got := execOut(t, name, "1st", "cat", "/proc/1/cmdline"); !strings.HasPrefix(got, "nginx") {
		t.Errorf("1st's PID 1 is %q, want nginx (the image's Cmd)", got)
	}
}

// TestImageHostileLayer: a layer whose entries try to leave the layer
// directory ("../" names, absolute names, writes through a symlink to an
// absolute host path, hard links to host files) changes nothing on the
// host, whether the pull refuses it or contains it.
func TestImageHostileLayer(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	tag := uniq("escape")
	victim, err := os.CreateTemp("/var/tmp", "minipod-e2e-victim-")
	if err != nil {
		t.Fatal(err)
	}
	victim.Close()
	t.Cleanup(func() { os.Remove(victim.Name()) })
	hostDir := t.TempDir()
	escapes := []string{
		filepath.Join(hostDir, "dotdot"),
		filepath.Join(hostDir, "absolute"),
		filepath.Join(hostDir, "via-symlink"),
	}
	cases := map[string][]tarEntry{
		"dotdot":    {fileEntry(strings.Repeat("../", 12)+strings.TrimPrefix(escapes[0], "/"), "escaped\n")},
		"absolute":  {fileEntry(escapes[1], "escaped\n")},
		"symlink":   {symlinkEntry("out", hostDir), fileEntry("out/via-symlink", "escaped\n")},
		"hl-dotdot": {{name: "hl", typ: tar.TypeLink, link: strings.Repeat("../", 12) + strings.TrimPrefix(victim.Name(), "/")}},
		"hl-abs":    {{name: "hl", typ: tar.TypeLink, link: victim.Name()}},
		"hl-symlink": {symlinkEntry("vt", "/var/tmp"),
			{name: "hl", typ: tar.TypeLink, link: "vt/" + filepath.Base(victim.Name())}},
	}
	var pulled []string
	var ctrs strings.Builder
	for what, entries := range cases {
		entries = append(entries, fileEntry("stamp", tag))
		ref := reg.push(t, "test/"+tag+":"+what, buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t), layerOf(t, entries...)))
		rmiAtEnd(t, ref)
		r := mpWith(t, reg.env(), "pull", "-q", ref)
		t.Logf("%s: pull exit %d %s", what, r.code, strings.TrimSpace(r.stderr))
		for _, p := range escapes {
			if _, err := os.Lstat(p); err == nil {
				t.Errorf("%s: the layer wrote %s on the host", what, p)
				os.Remove(p)
			}
		}
		var st syscall.Stat_t
		if err := syscall.Stat(victim.Name(), &st); err != nil {
			t.Fatal(err)
		}
		if st.Nlink != 1 {
			t.Errorf("%s: the layer hard-linked the host file %s (%d links)", what, victim.Name(), st.Nlink)
		}
		if r.code == 0 {
			pulled = append(pulled, what)
			fmt.Fprintf(&ctrs, "  - name: %s\n    image: %s\n    command: [\"sh\", \"-c\", \"[ -f /hl ] && echo pwned >> /hl; sleep 3600\"]\n", what, ref)
		}
	}
	if len(pulled) == 0 {
		return
	}
	// Contained: pods see their own trees; writes to what the hard links
	// name inside the image do not reach the host file.
	name := podName("escape")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
`, name)+ctrs.String(), reg.env())
	inside := map[string]string{"dotdot": escapes[0], "absolute": escapes[1], "symlink": escapes[2]}
	for _, what := range pulled {
		execOut(t, name, what, "true") // it has run its command by now
		if p, ok := inside[what]; ok {
			if got := mp(t, "exec", name, "-c", what, "--", "cat", p); got.stdout != "escaped\n" {
				t.Errorf("%s: the entry is not inside the image at %s: %s", what, p, got)
			}
		}
	}
	if b, err := os.ReadFile(victim.Name()); err != nil || len(b) != 0 {
		t.Errorf("host file %s after writes in the containers: %q %v", victim.Name(), b, err)
	}
}

// TestImagePullerGoesWithPod: the pull runs in minipod-pull, a child of
// the pod's monitor; a pod deleted while it pulls, or whose monitor is
// killed while it pulls, leaves no puller behind (`down` stops it; the
// monitor's death kills it), and the store takes the next pull.
func TestImagePullerGoesWithPod(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	img := buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t),
		layerOf(t, fileEntry("big", randomText(1<<20))))
	ref := reg.push(t, "test/"+uniq("pullgone")+":v1", img)
	rmiAtEnd(t, ref)
	reg.setBlobDelay(3 * time.Second)
	for _, end := range []string{"down", "monitor killed"} {
		name := podName("pullgone")
		done := make(chan result, 1)
		go func() { done <- tryUp(t, name, tmpl(sleeperPod, name, "IMAGE", ref, "POLICY", ""), reg.env()) }()
		// Other tests pull at the same time: this pod's puller is the one
		// its monitor started.
		var mine []string
		waitFor(t, 30*time.Second, "the pod's puller to run", func() bool {
			mine = podPullers(t, name)
			return len(mine) > 0
		})
		if end == "monitor killed" {
			st, err := readState(name)
			if err != nil || st.Monitor.PID == 0 {
				t.Fatalf("no monitor recorded: %v", err)
			}
			if err := syscall.Kill(st.Monitor.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 5*time.Second, "no puller left once the monitor died", func() bool { return !anyPuller(t, mine) })
		}
		// A monitor that died before its report is cleaned up by `up`
		// itself: the pod may be gone already.
		if r := mp(t, "down", "--ignore-not-found", name); r.code != 0 {
			t.Errorf("%s: down: %s", end, r)
		}
		<-done
		waitFor(t, 5*time.Second, "no puller left after "+end, func() bool { return !anyPuller(t, mine) })
	}
	reg.setBlobDelay(0)
	if r := mpWith(t, reg.env(), "pull", "-q", ref); r.code != 0 {
		t.Errorf("pull after the interrupted ones: %s", r)
	}
}

// podPullers lists the pullers whose parent is pod name's monitor.
func podPullers(t *testing.T, name string) []string {
	t.Helper()
	st, err := readState(name)
	if err != nil || st.Monitor.PID == 0 {
		return nil
	}
	var out []string
	for _, pid := range pullers(t) {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			continue
		}
		// The parent is the field after the state, past the last ')'.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(st.Monitor.PID) {
			out = append(out, pid)
		}
	}
	return out
}

// anyPuller tells whether one of pids still runs minipod-pull.
func anyPuller(t *testing.T, pids []string) bool {
	t.Helper()
	for _, p := range pullers(t) {
		if slices.Contains(pids, p) {
			return true
		}
	}
	return false
}

// pullers lists the PIDs of processes running minipod-pull (the sealed
// copy of the one beside minipod is the same file).
func pullers(t *testing.T) []string {
	t.Helper()
	var want unix.Stat_t
	if err := unix.Stat(filepath.Join(filepath.Dir(exe), "minipod-pull"), &want); err != nil {
		t.Fatalf("minipod-pull beside minipod: %v", err)
	}
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		var got unix.Stat_t
		if unix.Stat("/proc/"+e.Name()+"/exe", &got) == nil && got.Dev == want.Dev && got.Ino == want.Ino {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestImagePullerMissingOrRefused: without minipod-pull beside minipod,
// `pull` fails saying it is not installed; with one that someone other
// than root could have put there, it fails saying so, and runs nothing.
func TestImagePullerMissingOrRefused(t *testing.T) {
	root(t)
	dir := t.TempDir() // 0700, root's
	bin := filepath.Join(dir, "minipod")
	copyInto(t, exe, bin)
	run := func() (string, int) {
		cmd := exec.Command(bin, "pull", "-q", "127.0.0.1:1/none:v1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}
	if out, code := run(); code == 0 || !strings.Contains(out, "minipod-pull is not installed beside minipod") {
		t.Errorf("without minipod-pull: exit %d, %q", code, out)
	}
	// A shell script standing in for the puller would leave a mark if run.
	mark := filepath.Join(dir, "ran")
	puller := filepath.Join(dir, "minipod-pull")
	writeProgram(t, puller, []byte("#!/bin/sh\ntouch "+mark+"\n"), 0o757)
	if err := os.Chmod(puller, 0o757); err != nil {
		t.Fatal(err)
	}
	if out, code := run(); code == 0 || !strings.Contains(out, "is not used: not root's alone") {
		t.Errorf("a world-writable minipod-pull: exit %d, %q", code, out)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("a world-writable minipod-pull was run")
	}
}

// TestK8sDocsPrivateRegPlaceholder: the documentation's private-registry
// pod, as written, names its image "<your-private-image>", a placeholder
// the API server takes (it checks only for whitespace around a name). The
// kubelet cannot parse it: the container waits in InvalidImageName, the
// pod stays Pending, and nothing is pulled. `up` says so, naming the field,
// and fails; the pod stays for `down`. A name with whitespace around it is
// refused before anything is made.
func TestK8sDocsPrivateRegPlaceholder(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/private-reg-pod.yaml", cmdTimeout)
	if timedOut || r.code == 0 || !strings.Contains(r.stderr, `InvalidImageName: spec.containers[0].image "<your-private-image>"`) {
		t.Fatalf("up (timed out: %v): %s\nwant a failure naming spec.containers[0].image and InvalidImageName", timedOut, r)
	}
	if row := getRow(t, name); row["STATUS"] != "InvalidImageName" || row["READY"] != "0/1" {
		t.Errorf("get: %v, want 0/1 InvalidImageName", row)
	}
	p := getPod(t, name)
	want := `Failed to apply default image tag "<your-private-image>": couldn't parse image name "<your-private-image>": invalid reference format`
	if cs := p.Status.ContainerStatuses; p.Status.Phase != corev1.PodPending || len(cs) != 1 || cs[0].State.Waiting == nil || cs[0].State.Waiting.Message != want {
		t.Errorf("status %+v, want Pending with the container waiting: %s", p.Status, want)
	}
	desc := mustMP(t, "describe", name)
	if !strings.Contains(desc, "InspectFailed") || !strings.Contains(desc, "Error: InvalidImageName") || strings.Contains(desc, "Pulling") {
		t.Errorf("describe: want the InspectFailed and Failed events and no pull:\n%s", desc)
	}

	spaced := podName("spaced-image")
	r = tryUp(t, spaced, tmpl(sleeperPod, spaced, "IMAGE", `"busybox "`, "POLICY", ""))
	if r.code == 0 || !strings.Contains(r.stderr, `spec.containers[0].image: Invalid value: "busybox ": must not have leading or trailing whitespace`) {
		t.Errorf("up with an image name ending in a blank: %s", r)
	}
}
