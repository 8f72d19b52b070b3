package test

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestK8sDocsImageVolumes runs the two examples of the task page "Use an
// Image Volume With a Pod" (tasks/configure-pod-container/image-volumes.md
// at 89ce7eec) unchanged. The page shows `cat /volume/dir/file` printing 1
// and `cat /volume/file` printing 2 (lines 49-67), and, with subPath dir,
// `cat /volume/file` printing 1 (lines 94-100). Both pods are named
// image-volume: they run one after the other.
func TestK8sDocsImageVolumes(t *testing.T) {
	root(t)
	t.Run("whole", func(t *testing.T) {
		name := mustUpDoc(t, "pods/image-volumes.yaml")
		for file, want := range map[string]string{"/volume/dir/file": "1", "/volume/file": "2"} {
			if got := strings.TrimSpace(execOut(t, name, "shell", "cat", file)); got != want {
				t.Errorf("cat %s printed %q, want %q (as the page shows)", file, got, want)
			}
		}
		checkImageVolumeMount(t, name, "shell", "/volume")
		desc := mustMP(t, "describe", "pod", name)
		// kubectl shows the mount "rw" as the volumeMount says, read-only
		// as it is.
		for _, want := range []string{"Type:        Image (a container image or OCI artifact)", "Reference:   quay.io/crio/artifact:v2", "PullPolicy:  IfNotPresent", "Mounts:\n      /volume from volume (rw)\n"} {
			if !strings.Contains(desc, want) {
				t.Errorf("describe lacks %q:\n%s", want, desc)
			}
		}
	})
	t.Run("subPath", func(t *testing.T) {
		name := mustUpDoc(t, "pods/image-volumes-subpath.yaml")
		if got := strings.TrimSpace(execOut(t, name, "shell", "cat", "/volume/file")); got != "1" {
			t.Errorf("cat /volume/file printed %q, want 1 (dir/file of the image, as the page shows)", got)
		}
		if got := strings.TrimSpace(execOut(t, name, "shell", "ls", "/volume")); got != "file" {
			t.Errorf("ls /volume printed %q, want the subPath's one file", got)
		}
		if desc := mustMP(t, "describe", "pod", name); !strings.Contains(desc, `/volume from volume (rw,path="dir")`) {
			t.Errorf("describe lacks the mount with its subPath:\n%s", desc)
		}
		checkImageVolumeMount(t, name, "shell", "/volume")
	})
}

// checkImageVolumeMount: the container sees the image volume at path read
// only, nosuid, nodev and noexec, and cannot write into it nor make it
// writable again.
func checkImageVolumeMount(t *testing.T, pod, ctr, path string) {
	t.Helper()
	var opts string
	for _, l := range lines(execOut(t, pod, ctr, "cat", "/proc/self/mountinfo")) {
		if f := strings.Fields(l); len(f) > 5 && f[4] == path {
			opts = f[5]
		}
	}
	for _, want := range []string{"ro", "nosuid", "nodev", "noexec"} {
		if !strings.Contains(","+opts+",", ","+want+",") {
			t.Errorf("%s in %s/%s is mounted %q, want %s among its options", path, pod, ctr, opts, want)
		}
	}
	r := mp(t, "exec", pod, "-c", ctr, "--", "sh", "-c", "echo x > "+path+"/written")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("writing into the image volume %s: want Read-only file system, got %s", path, r)
	}
	if r := mp(t, "exec", pod, "-c", ctr, "--", "mount", "-o", "remount,rw", path); r.code == 0 {
		t.Errorf("root in the container remounted the image volume %s read-write: %s", path, r)
	}
}

// imageVolPod mounts the image volume v ({{REF}}, {{POLICY}}) into
// container c as the mounts say; container b mounts nothing. c has a
// postStart hook, which holds b back until it is done: a c that cannot
// start for its volume must not.
const imageVolPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    lifecycle:
      postStart:
        exec:
          command: ["true"]
    volumeMounts:
{{MOUNTS}}
  - name: b
    image: busybox
    command: ["sleep", "3600"]
  volumes:
  - name: v
    image:
      reference: {{REF}}
      pullPolicy: {{POLICY}}
`

// TestImageVolumePulled: an image volume is pulled from a registry with
// its policy (Pulling and Pulled events on the pod), its layers are
// stacked as an image's are (a whiteout hides the lower file), the mount
// is read-only and noexec whatever readOnly says, a subPath into it works
// and a symlink of the image used as subPath stays inside it, and the
// image cannot be removed while the pod mounts it.
func TestImageVolumePulled(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	lower := layerOf(t, dirEntry("bin"), tarEntry{name: "bin/tool", typ: tar.TypeReg, body: "#!/bin/sh\necho ran\n", mode: 0o755},
		dirEntry("a"), fileEntry("a/gone", "lower"), fileEntry("a/kept", "lower"),
		dirEntry("data"), fileEntry("data/x", "x"), symlinkEntry("escape", "/"))
	upper := layerOf(t, dirEntry("a"), whiteoutEntry("a", "gone"), fileEntry("a/new", "upper"))
	ref := reg.push(t, "test/"+uniq("imgvol")+":v1", buildImage(t, v1.Config{}, lower, upper))
	rmiAtEnd(t, ref)

	name := podName("imgvol")
	mounts := `    - {name: v, mountPath: /v, readOnly: false}
    - {name: v, mountPath: /data, subPath: data}
    - {name: v, mountPath: /esc, subPath: escape}`
	if r := upWithin(t, name, tmpl(imageVolPod, name, "MOUNTS", mounts, "REF", ref, "POLICY", "IfNotPresent"), reg.env(), 30*time.Second); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	if reg.count("GET", "/manifests/v1") == 0 {
		t.Errorf("the registry saw no manifest GET for the volume's image")
	}
	desc := mustMP(t, "describe", "pod", name)
	for _, want := range []string{`Pulling image "` + ref + `"`, `Successfully pulled image "` + ref + `"`} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe lacks %q:\n%s", want, desc)
		}
	}
	if got := strings.Join(strings.Fields(execOut(t, name, "c", "ls", "/v/a")), " "); got != "kept new" {
		t.Errorf("ls /v/a: %q, want the upper layer's whiteout to hide gone: \"kept new\"", got)
	}
	if got := execOut(t, name, "c", "cat", "/data/x"); got != "x" {
		t.Errorf("the subPath data: cat /data/x printed %q", got)
	}
	if got := strings.Join(strings.Fields(execOut(t, name, "c", "ls", "/esc")), " "); got != "a bin data escape" {
		t.Errorf("the subPath escape (a link to / in the image) shows %q, want the volume's own root", got)
	}
	if r := mp(t, "exec", name, "-c", "c", "--", "/v/bin/tool"); r.code == 0 || strings.Contains(r.stdout, "ran") {
		t.Errorf("a program of the image volume ran: %s", r)
	}
	checkImageVolumeMount(t, name, "c", "/v")
	checkImageVolumeMount(t, name, "c", "/data")
	if r := mp(t, "exec", name, "-c", "b", "--", "ls", "/v"); r.code == 0 {
		t.Errorf("container b, which mounts nothing, sees /v: %s", r)
	}
	if r := mp(t, "rmi", ref); r.code == 0 || !strings.Contains(r.stderr, "in use by pod \""+name+"\"") {
		t.Errorf("rmi of the image a pod mounts as a volume: want refused naming the pod, got %s", r)
	}
	if matches, _ := filepath.Glob(filepath.Join(imagesRoot, "_oci", "layers", "sha256", "*", "rootfs", "written")); len(matches) > 0 {
		t.Errorf("a container wrote into the store's layers: %v", matches)
	}
}

// TestImageVolumeManyLayers: an image of more layers than one mount(2)
// could name by their paths in the store (its options are one page; 45
// paths of ~114 bytes) is still stacked, all of them.
func TestImageVolumeManyLayers(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	const n = 45
	var layers []v1.Layer
	for i := range n {
		layers = append(layers, layerOf(t, fileEntry(fmt.Sprintf("l%02d", i), randomText(16))))
	}
	ref := reg.push(t, "test/"+uniq("imgvol-layers")+":v1", buildImage(t, v1.Config{}, layers...))
	rmiAtEnd(t, ref)
	name := podName("imgvol-layers")
	if r := upWithin(t, name, tmpl(imageVolPod, name, "MOUNTS", "    - {name: v, mountPath: /v}", "REF", ref, "POLICY", "IfNotPresent"), reg.env(), 60*time.Second); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	if got := len(strings.Fields(execOut(t, name, "c", "ls", "/v"))); got != n {
		t.Errorf("the volume of a %d-layer image shows %d files, want %d", n, got, n)
	}
	checkImageVolumeMount(t, name, "c", "/v")
}

// TestImageVolumeFailures: what holds back only the containers that mount
// an image volume, each with the kubelet's reason, while the others run:
// a subPath the image does not have (CreateContainerError, in CRI-O's
// words), a pull that fails (ErrImagePull, then ImagePullBackOff, then
// tried again), Never with the image missing (ErrImageNeverPull, the
// registry never asked).
func TestImageVolumeFailures(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	ref := reg.push(t, "test/"+uniq("imgvol-fail")+":v1", buildImage(t, v1.Config{}, layerOf(t, dirEntry("dir"), fileEntry("dir/f", "f"))))
	rmiAtEnd(t, ref)
	missing := reg.ref("test/" + uniq("imgvol-nosuch") + ":v1")

	t.Run("subPath missing", func(t *testing.T) {
		name := podName("imgvol-subpath")
		r := tryUp(t, name, tmpl(imageVolPod, name, "MOUNTS", "    - {name: v, mountPath: /v, subPath: nosuch}", "REF", ref, "POLICY", "IfNotPresent"), reg.env())
		wantMsg := `sub path "nosuch" does not exist in image volume "` + ref + `"`
		if r.code == 0 || !strings.Contains(r.stderr, "CreateContainerError") || !strings.Contains(r.stderr, wantMsg) {
			t.Errorf("up: want a failure with CreateContainerError and %q, got %s", wantMsg, r)
		}
		p := getPod(t, name)
		if s := ctrStatus(t, p, "c"); s.State.Waiting == nil || s.State.Waiting.Reason != "CreateContainerError" || s.State.Waiting.Message != wantMsg {
			t.Errorf("container c: %+v, want waiting CreateContainerError %q", s.State, wantMsg)
		}
		waitFor(t, 20*time.Second, "container b to run", func() bool { return ctrStatus(t, getPod(t, name), "b").State.Running != nil })
	})
	t.Run("pull fails", func(t *testing.T) {
		name := podName("imgvol-pullfail")
		reg.reset()
		late := reg.ref("test/" + uniq("imgvol-late") + ":v1")
		rmiAtEnd(t, late) // after the pod is down: cleanups run last first
		r := tryUp(t, name, tmpl(imageVolPod, name, "MOUNTS", "    - {name: v, mountPath: /v}", "REF", late, "POLICY", "IfNotPresent"), reg.env())
		if r.code == 0 || !strings.Contains(r.stderr, `spec.containers[0] (c) mounts image volume "v"`) || !strings.Contains(r.stderr, "NAME_UNKNOWN") {
			t.Errorf("up: want a failure naming the container, the image volume and the registry's NAME_UNKNOWN, got %s", r)
		}
		waitFor(t, 20*time.Second, "container c in ImagePullBackOff and b running", func() bool {
			p := getPod(t, name)
			c, b := ctrStatus(t, p, "c"), ctrStatus(t, p, "b")
			return c.State.Waiting != nil && c.State.Waiting.Reason == "ImagePullBackOff" && b.State.Running != nil
		})
		c := ctrStatus(t, getPod(t, name), "c")
		if !strings.HasPrefix(c.State.Waiting.Message, `Back-off pulling image "`+late+`": ErrImagePull: `) {
			t.Errorf("container c's message %q, want the kubelet's back-off message", c.State.Waiting.Message)
		}
		desc := mustMP(t, "describe", "pod", name)
		for _, want := range []string{`Failed to pull image "` + late + `"`, "Error: ErrImagePull", `Back-off pulling image "` + late + `"`} {
			if !strings.Contains(desc, want) {
				t.Errorf("describe lacks %q:\n%s", want, desc)
			}
		}
		// The image comes to the registry: the next try pulls and mounts
		// it, and c starts.
		reg.push(t, strings.TrimPrefix(late, reg.host+"/"), buildImage(t, v1.Config{}, layerOf(t, fileEntry("late", "came late"))))
		waitFor(t, 30*time.Second, "container c to run once the volume's image could be pulled", func() bool {
			return ctrStatus(t, getPod(t, name), "c").State.Running != nil
		})
		if got := execOut(t, name, "c", "cat", "/v/late"); got != "came late" {
			t.Errorf("cat /v/late: %q", got)
		}
	})
	t.Run("never", func(t *testing.T) {
		name := podName("imgvol-never")
		reg.reset()
		r := tryUp(t, name, tmpl(imageVolPod, name, "MOUNTS", "    - {name: v, mountPath: /v}", "REF", missing, "POLICY", "Never"), reg.env())
		if r.code == 0 || !strings.Contains(r.stderr, "ErrImageNeverPull") {
			t.Errorf("up: want ErrImageNeverPull, got %s", r)
		}
		if s := ctrStatus(t, getPod(t, name), "c"); s.State.Waiting == nil || s.State.Waiting.Reason != "ErrImageNeverPull" {
			t.Errorf("container c: %+v, want waiting ErrImageNeverPull", s.State)
		}
		if n := reg.count("GET", "/manifests/") + reg.count("HEAD", "/manifests/"); n != 0 {
			t.Errorf("with Never the registry was asked %d times", n)
		}
	})
}

// TestAttackImageVolumeRemount: a container given CAP_SYS_ADMIN can
// remount its bind of an image volume read-write; the volume must still
// not write through into the store, whose trees other pods' roots stack
// (a one-layer image and a directory image are single trees, the case a
// plain bind of the store's tree would have exposed).
func TestAttackImageVolumeRemount(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	ref := reg.push(t, "test/"+uniq("imgvol-one")+":v1", buildImage(t, v1.Config{}, layerOf(t, fileEntry("f", "one layer"))))
	rmiAtEnd(t, ref)
	name := podName("atk-imgvol")
	if r := upWithin(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add: ["SYS_ADMIN"]
    volumeMounts:
    - {name: one, mountPath: /one}
    - {name: dir, mountPath: /dir}
  volumes:
  - name: one
    image: {reference: {{REF}}, pullPolicy: IfNotPresent}
  - name: dir
    image: {reference: "busybox:latest", pullPolicy: IfNotPresent}
`, name, "REF", ref), reg.env(), 30*time.Second); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	for _, v := range []string{"/one", "/dir"} {
		r := mp(t, "exec", name, "--", "sh", "-c", "mount -o remount,rw,bind "+v+"; touch "+v+"/pwned && echo WROTE")
		t.Logf("remount and write %s: %s", v, r)
		if strings.Contains(r.stdout, "WROTE") {
			t.Errorf("a container with CAP_SYS_ADMIN wrote into the image volume %s", v)
		}
	}
	for _, pattern := range []string{filepath.Join(imagesRoot, "_oci", "layers", "sha256", "*", "rootfs", "pwned"), filepath.Join(imagesRoot, "busybox", "*", "rootfs", "pwned")} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			t.Errorf("the container wrote into the image store: %v", m)
			for _, f := range m {
				_ = os.Remove(f)
			}
		}
	}
}

// TestImagePruneKeepsMounted: a pod runs a container from tag T and mounts
// T as an image volume; T then moves to another image. `image prune` must
// keep the first image's layers, which the pod still mounts (its root's
// lower layer, the volume), though no reference names them any more.
func TestImagePruneKeepsMounted(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	repo := "test/" + uniq("prune-mounted")
	first := buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t), layerOf(t, fileEntry("mark", "first")))
	ref := reg.push(t, repo+":v1", first)
	rmiAtEnd(t, ref)
	name := podName("prune-mounted")
	if r := upWithin(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: {{REF}}
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: v, mountPath: /v}
  volumes:
  - name: v
    image: {reference: {{REF}}, pullPolicy: IfNotPresent}
`, name, "REF", ref), reg.env(), 30*time.Second); r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	reg.push(t, repo+":v1", buildImage(t, v1.Config{Env: []string{defaultPath}}, layerOf(t, fileEntry("mark", "second"))))
	if r := mpWith(t, reg.env(), "pull", "-q", ref); r.code != 0 {
		t.Fatalf("pull of the moved tag: %s", r)
	}
	if r := mp(t, "image", "prune"); r.code != 0 {
		t.Fatalf("image prune: %s", r)
	}
	for _, file := range []string{"/mark", "/v/mark", "/bin/busybox"} {
		if r := mp(t, "exec", name, "--", "cat", file); r.code != 0 || file != "/bin/busybox" && r.stdout != "first" {
			t.Errorf("after prune, %s in the pod: %s, want the first image's", file, r)
		}
	}
}
