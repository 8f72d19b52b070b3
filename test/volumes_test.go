package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const volumesPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: mem
    emptyDir:
      medium: Memory
      sizeLimit: 16Mi
  - name: shared
    emptyDir: {}
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - name: mem
      mountPath: /mem
    - name: shared
      mountPath: /ro
      readOnly: true
    - name: shared
      mountPath: /sub
      subPath: sub
  - name: b
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - name: shared
      mountPath: /all
    - name: mem
      mountPath: /mem
`

// TestVolumes: a memory emptyDir is a sized tmpfs shared by the containers,
// readOnly mounts refuse writes, and subPath mounts a volume's subdirectory.
func TestVolumes(t *testing.T) {
	root(t)
	name := podName("vol")
	upPod(t, name, tmpl(volumesPod, name))

	t.Run("memory emptyDir", func(t *testing.T) {
		mounts := execOut(t, name, "a", "cat", "/proc/mounts")
		var line string
		for _, l := range lines(mounts) {
			if f := strings.Fields(l); len(f) > 2 && f[1] == "/mem" {
				line = l
			}
		}
		if f := strings.Fields(line); len(f) < 4 || f[2] != "tmpfs" || !regexp.MustCompile(`(^|,)size=16384k(,|$)`).MatchString(f[3]) {
			t.Errorf("/mem in /proc/mounts: %q, want tmpfs with size=16384k", line)
		}
		df := lines(execOut(t, name, "a", "df", "-k", "/mem"))
		if len(df) < 2 || len(strings.Fields(df[len(df)-1])) < 2 || strings.Fields(df[len(df)-1])[1] != "16384" {
			t.Errorf("df -k /mem: %q, want 16384 blocks", df)
		}
		execOut(t, name, "a", "sh", "-c", "echo in-memory > /mem/f")
		if got := execOut(t, name, "b", "cat", "/mem/f"); got != "in-memory\n" {
			t.Errorf("b reads %q from the memory volume", got)
		}
	})
	t.Run("readOnly", func(t *testing.T) {
		r := mp(t, "exec", name, "-c", "a", "--", "touch", "/ro/x")
		if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("touch in a readOnly mount: want Read-only file system, got %s", r)
		}
		// The same volume is writable where it is mounted read-write.
		execOut(t, name, "b", "sh", "-c", "echo rw > /all/rw")
		if got := execOut(t, name, "a", "cat", "/ro/rw"); got != "rw\n" {
			t.Errorf("a reads %q through its readOnly mount", got)
		}
	})
	t.Run("subPath", func(t *testing.T) {
		execOut(t, name, "a", "sh", "-c", "echo via-subpath > /sub/f")
		if got := execOut(t, name, "b", "cat", "/all/sub/f"); got != "via-subpath\n" {
			t.Errorf("b reads %q at /all/sub/f", got)
		}
		if r := mp(t, "exec", name, "-c", "a", "--", "ls", "/sub/sub"); r.code == 0 {
			t.Errorf("/sub is the volume's root, not its subdirectory: %s", r)
		}
	})
}

const symlinkPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: data
    emptyDir: {}
  initContainers:
  - name: plant
    image: busybox
    command: ["sh", "-c", "ln -s / /data/escape && ln -s {{MARKER}} /data/marker"]
    volumeMounts: [{name: data, mountPath: /data}]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - name: data
      mountPath: /data2
      subPath: escape
`

// TestSubPathSymlinkContained: a symlink planted in a volume by one
// container, then used as a subPath, must not mount the host's root.
func TestSubPathSymlinkContained(t *testing.T) {
	root(t)
	name := podName("symlink")
	dir := t.TempDir()
	marker := filepath.Join(dir, "host-marker")
	if err := os.WriteFile(marker, []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := tryUp(t, name, tmpl(symlinkPod, name, "MARKER", marker))
	if r.code != 0 {
		// Refusing the subPath is a fine answer, if it says why.
		if !strings.Contains(r.stderr, "subPath") && !strings.Contains(r.stderr, "escape") {
			t.Errorf("up failed without naming the subPath: %s", r)
		}
		return
	}
	waitFor(t, 30*time.Second, "app running", func() bool {
		return ctrStatus(t, getPod(t, name), "app").State.Running != nil
	})
	for _, p := range []string{
		"/data2" + marker,
		"/data2/run/minipod/" + name + "/state.json",
		"/data2/var/lib/minipod/pods/" + name,
		"/data2/proc/1/root" + marker,
	} {
		if r := mp(t, "exec", name, "-c", "app", "--", "ls", "-d", p); r.code == 0 {
			t.Errorf("the app container sees the host through the planted symlink: %s", r)
		}
	}
	if r := mp(t, "exec", name, "-c", "app", "--", "cat", "/data2/etc/hostname"); r.code == 0 {
		if host, _ := os.ReadFile("/etc/hostname"); len(host) > 0 && r.stdout == string(host) {
			t.Errorf("/data2/etc/hostname is the host's: %q", r.stdout)
		}
	}
}

// ---- Set Permissions on an emptyDir Volume
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-emptydir-volume-mode/

// TestK8sDocsEmptyDirMode (emptydir-volume-mode.yaml): the volume at /tmp
// has the mode the manifest gives, 01777, sticky bit included, as the
// page's `ls -ld /tmp` shows (drwxrwxrwt). The image is the page's
// registry.k8s.io/busybox, served from the local busybox.
func TestK8sDocsEmptyDirMode(t *testing.T) {
	root(t)
	_, o := k8sImage(t, "busybox/latest", "busybox", "sudo scripts/build-images.sh busybox")
	name, r, timedOut := upDoc(t, "pods/emptydir-volume-mode.yaml", cmdTimeout, o)
	if timedOut || r.code != 0 {
		t.Fatalf("up (timed out: %v): %s", timedOut, r)
	}
	if ls := mustMP(t, "exec", name, "--", "ls", "-ld", "/tmp"); !strings.HasPrefix(ls, "drwxrwxrwt") {
		t.Errorf("ls -ld /tmp: %q, want drwxrwxrwt", ls)
	}
}

// emptyDirModes has an emptyDir on disk and one in memory with modes of
// their own, and one with none (0777 on disk, 1777 in memory, as ever).
const emptyDirModes = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    volumeMounts:
    - {name: disk, mountPath: /disk}
    - {name: mem, mountPath: /mem}
    - {name: plain, mountPath: /plain}
    - {name: plainmem, mountPath: /plainmem}
  volumes:
  - name: disk
    emptyDir: {mode: 0750}
  - name: mem
    emptyDir: {medium: Memory, mode: 01770}
  - name: plain
    emptyDir: {}
  - name: plainmem
    emptyDir: {medium: Memory}
`

// TestEmptyDirMode: each emptyDir has the mode asked, in octal as YAML
// writes it, on disk and in memory; a mode outside 0-01777 is refused.
func TestEmptyDirMode(t *testing.T) {
	root(t)
	name := podName("edmode")
	upPod(t, name, tmpl(emptyDirModes, name))
	got := mustMP(t, "exec", name, "--", "stat", "-c", "%a", "/disk", "/mem", "/plain", "/plainmem")
	if want := "750\n1770\n777\n1777\n"; got != want {
		t.Errorf("modes %q, want %q", got, want)
	}
	bad := podName("edmode-bad")
	r := tryUp(t, bad, strings.Replace(tmpl(emptyDirModes, bad), "mode: 0750", "mode: 02777", 1))
	if r.code == 0 || !strings.Contains(r.stderr, "spec.volumes[0].emptyDir.mode: Invalid value: 1535: must be a number between 0 and 01777 (octal), both inclusive") {
		t.Errorf("up of mode 02777: %s", r)
	}
}

// TestSubPathUnusable: a subPath its volume cannot give (a file where a
// directory should be, a link loop, both planted by another container)
// leaves its container waiting in CreateContainerConfigError with the
// kubelet's words, not failed; it is tried again, and starts once the
// volume is mended. The pod's other containers run meanwhile.
func TestSubPathUnusable(t *testing.T) {
	root(t)
	name := podName("subpath-bad")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: data
    emptyDir: {}
  initContainers:
  - name: plant
    image: busybox
    command: ["sh", "-c", "echo file > /data/notadir && ln -s loop /data/loop"]
    volumeMounts: [{name: data, mountPath: /data}]
  containers:
  - name: file
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: data, mountPath: /x, subPath: notadir/x}]
  - name: loop
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: data, mountPath: /x, subPath: loop/x}]
  - name: mender
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: data, mountPath: /data}]
`, name))
	if r.code == 0 || !strings.Contains(r.stderr, "CreateContainerConfigError") {
		t.Errorf("up: want a failure with CreateContainerConfigError, got %s", r)
	}
	waitFor(t, 20*time.Second, "the mender to run", func() bool { return ctrStatus(t, getPod(t, name), "mender").State.Running != nil })
	p := getPod(t, name)
	for _, c := range []string{"file", "loop"} {
		want := `failed to prepare subPath for volumeMount "data" of container "` + c + `"`
		s := ctrStatus(t, p, c)
		if s.State.Waiting == nil || s.State.Waiting.Reason != "CreateContainerConfigError" || s.State.Waiting.Message != want {
			t.Errorf("container %s: %+v (last %+v), want waiting CreateContainerConfigError %q", c, s.State, s.LastTerminationState, want)
		}
		if s.RestartCount != 0 || s.LastTerminationState.Terminated != nil {
			t.Errorf("container %s has a failed instance: %+v", c, s)
		}
	}
	execOut(t, name, "mender", "rm", "/data/notadir", "/data/loop")
	waitFor(t, 30*time.Second, "both containers to run once the volume is mended", func() bool {
		p := getPod(t, name)
		return ctrStatus(t, p, "file").State.Running != nil && ctrStatus(t, p, "loop").State.Running != nil
	})
}
