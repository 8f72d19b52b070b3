package test

// downwardAPI and projected volumes (issue 10): the files the kubelet
// writes, read from inside a container; read-only tmpfs volumes; what the
// API server refuses. Then the Kubernetes documentation's examples of
// both (testdata/k8s-docs, sources in its SOURCES.md), each checked for
// what its page says a user sees.

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

const downwardPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels: {tier: front-end, app: web}
  annotations: {build: two, note: "say \"hi\"\n\tbye"}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    resources:
      requests: {cpu: 125m, memory: 32Mi}
      limits: {cpu: 250m, memory: 64Mi}
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI:
      defaultMode: 0440
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: namespace, fieldRef: {fieldPath: metadata.namespace}}
      - {path: uid, fieldRef: {fieldPath: metadata.uid}}
      - {path: meta/app, fieldRef: {fieldPath: "metadata.labels['app']"}, mode: 0400}
      - {path: cpu_limit, resourceFieldRef: {containerName: main, resource: limits.cpu, divisor: 1m}}
      - {path: cpu_request, resourceFieldRef: {containerName: main, resource: requests.cpu, divisor: 1m}}
      - {path: cpu_request_cores, resourceFieldRef: {containerName: main, resource: requests.cpu}}
      - {path: mem_limit, resourceFieldRef: {containerName: main, resource: limits.memory, divisor: 1Mi}}
      - {path: mem_request, resourceFieldRef: {containerName: main, resource: requests.memory}}
`

// TestDownwardAPIVolume: each file holds what the kubelet writes (labels
// and annotations as sorted key="value" lines quoted as Go's %q, without
// a final newline; resources divided by the divisor and rounded up), with
// defaultMode or the item's mode; the volume is a read-only tmpfs.
func TestDownwardAPIVolume(t *testing.T) {
	root(t)
	name := podName("dapi")
	upPod(t, name, tmpl(downwardPod, name))
	uid := string(getPod(t, name).UID)
	for file, want := range map[string]string{
		"labels":            "app=\"web\"\ntier=\"front-end\"",
		"annotations":       "build=\"two\"\nnote=\"say \\\"hi\\\"\\n\\tbye\"",
		"name":              name,
		"namespace":         "default",
		"uid":               uid,
		"meta/app":          "web",
		"cpu_limit":         "250",
		"cpu_request":       "125",
		"cpu_request_cores": "1",
		"mem_limit":         "64",
		"mem_request":       "33554432",
	} {
		if got := execOut(t, name, "main", "cat", "/etc/podinfo/"+file); got != want {
			t.Errorf("/etc/podinfo/%s: %q, want %q", file, got, want)
		}
	}
	if got := execOut(t, name, "main", "stat", "-c", "%a %n", "/etc/podinfo/name", "/etc/podinfo/meta/app"); got != "440 /etc/podinfo/name\n400 /etc/podinfo/meta/app\n" {
		t.Errorf("modes: %q, want 440 (defaultMode) and 400 (the item's mode)", got)
	}
	checkReadOnlyTmpfs(t, name, "main", "/etc/podinfo")
}

// checkReadOnlyTmpfs: the volume at dir is a tmpfs, mounted read-only in
// the container, and refuses writes.
func checkReadOnlyTmpfs(t *testing.T, pod, ctr, dir string) {
	t.Helper()
	mi := execOut(t, pod, ctr, "cat", "/proc/self/mountinfo")
	if fs, opts := mountOf(mi, dir); fs != "tmpfs" || !strings.HasPrefix(opts, "ro") {
		t.Errorf("%s is %q mounted %q, want a read-only tmpfs:\n%s", dir, fs, opts, mi)
	}
	r := mp(t, "exec", pod, "-c", ctr, "--", "touch", dir+"/new")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("touch in %s: want Read-only file system, got %s", dir, r)
	}
}

const projectedPod = `apiVersion: v1
kind: ConfigMap
metadata: {name: {{NAME}}-cm}
data: {config: "log=debug", other: x}
---
apiVersion: v1
kind: Secret
metadata: {name: {{NAME}}-sec}
stringData: {username: admin, password: "{{VALUE}}"}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
    resources: {limits: {cpu: 500m, memory: 64Mi}}
    volumeMounts: [{name: all-in-one, mountPath: /projected-volume}]
  volumes:
  - name: all-in-one
    projected:
      defaultMode: 0440
      sources:
      - secret:
          name: {{NAME}}-sec
          items:
          - {key: username, path: my-group/my-username}
          - {key: password, path: my-group/my-password, mode: 0400}
      - downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: cpu_limit, resourceFieldRef: {containerName: main, resource: limits.cpu, divisor: 1m}}
      - configMap: {name: {{NAME}}-cm}
`

// upObjects runs `up -d` on a manifest that also holds ConfigMaps or
// Secrets, and registers its teardown: `down -f` of the file, which
// deletes the pod and every object of the file, then the leak check.
func upObjects(t *testing.T, name, text string) string {
	t.Helper()
	path := writeManifest(t, name, text)
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() {
		procs := podProcs(name)
		uid := ""
		if st, err := readState(name); err == nil {
			uid = st.UID
		}
		if r := mp(t, "down", "--ignore-not-found", "-f", path); r.code != 0 {
			t.Errorf("down -f failed: %s", r)
		}
		checkGone(t, name, before, procs)
		checkCgroupsGone(t, name, uid)
	})
	if r := mp(t, "up", "-d", path); r.code != 0 {
		t.Fatalf("up failed: %s", r)
	}
	return path
}

// TestProjectedVolume: a Secret's, downwardAPI's and a ConfigMap's files
// (from the same manifest) in one volume, with the volume's defaultMode
// unless an item sets one; a source without items gives every key. The
// volume is a read-only tmpfs: the Secret never reaches the disk.
func TestProjectedVolume(t *testing.T) {
	root(t)
	name := podName("projected")
	value := podName("s3cr3t")
	path := upObjects(t, name, tmpl(projectedPod, name, "VALUE", value))

	for file, want := range map[string]string{
		"my-group/my-username": "admin",
		"my-group/my-password": value,
		"labels":               `app="web"`,
		"cpu_limit":            "500",
		"config":               "log=debug",
		"other":                "x",
	} {
		if got := execOut(t, name, "main", "cat", "/projected-volume/"+file); got != want {
			t.Errorf("/projected-volume/%s: %q, want %q", file, got, want)
		}
	}
	if got := execOut(t, name, "main", "ls", "/projected-volume"); got != "config\ncpu_limit\nlabels\nmy-group\nother\n" {
		t.Errorf("ls /projected-volume: %q", got)
	}
	if got := execOut(t, name, "main", "stat", "-c", "%a %n", "/projected-volume/my-group/my-username", "/projected-volume/my-group/my-password"); got != "440 /projected-volume/my-group/my-username\n400 /projected-volume/my-group/my-password\n" {
		t.Errorf("modes: %q, want 440 (defaultMode) and 400 (the item's mode)", got)
	}
	checkReadOnlyTmpfs(t, name, "main", "/projected-volume")
	desc := mustMP(t, "describe", name)
	for _, want := range []string{"Projected (a volume that contains injected data from multiple sources)", "SecretName:", "DownwardAPI:", "ConfigMapName:"} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe lacks %q:\n%s", want, desc)
		}
	}
	if hit := grepTree(t, "/var/lib/minipod/pods/"+name, value); hit != "" {
		t.Errorf("the secret's value is on the disk, in %s", hit)
	}

	// down -f deletes the objects of the file with the pod.
	mustMP(t, "down", "-f", path)
	for _, obj := range []string{"configmap", "secret"} {
		if r := mp(t, "get", obj, name+"-"+map[string]string{"configmap": "cm", "secret": "sec"}[obj]); r.code == 0 {
			t.Errorf("the %s of the file is still there after down -f: %s", obj, r)
		}
	}
}

const waitingProjectedPod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "cat /p/user; echo; ` + idle + `"]
    volumeMounts: [{name: p, mountPath: /p}]
  volumes:
  - name: p
    projected:
      sources:
      - configMap: {name: {{NAME}}-absent, optional: true}
      - secret: {name: {{NAME}}-sec, items: [{key: username, path: user}]}
`

// TestProjectedVolumeWaitsForSecret: a missing Secret of a projected
// volume makes the pod wait in ContainerCreating with the kubelet's
// FailedMount words (an optional ConfigMap that is missing does not), and
// the pod runs once the Secret is made.
func TestProjectedVolumeWaitsForSecret(t *testing.T) {
	root(t)
	name := podName("projwait")
	r := tryUp(t, name, tmpl(waitingProjectedPod, name))
	// Registered after tryUp's teardown, so run before its leak check.
	t.Cleanup(func() { mp(t, "delete", "secret", name+"-sec", "--ignore-not-found") })
	want := `Warning: pod ` + name + ` is Pending: MountVolume.SetUp failed for volume "p" : secret "` + name + `-sec" not found`
	if r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("up of a pod whose projected Secret is missing: %s\nwant exit 0 and %q", r, want)
	}
	if s := status(t, name); s != "ContainerCreating" {
		t.Errorf("status %s, want ContainerCreating", s)
	}
	mustMP(t, "create", "secret", "generic", name+"-sec", "--from-literal=username=admin")
	waitStatus(t, name, "Running", 10*time.Second)
	waitLog(t, name, "main", "admin", 10*time.Second)
	checkReadOnlyTmpfs(t, name, "main", "/p")
}

const conflictingPod = `apiVersion: v1
kind: ConfigMap
metadata: {name: {{NAME}}-cm}
data: {config: x}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  containers:
  - name: main
    image: busybox
    volumeMounts: [{name: p, mountPath: /p}]
  volumes:
  - name: p
    projected:
      sources:
      - downwardAPI: {items: [{path: conf, fieldRef: {fieldPath: metadata.name}}]}
      - configMap: {name: {{NAME}}-cm, items: [{key: config, path: conf}]}
`

// TestProjectedConflictRefused: two sources writing the same file are
// refused at up with the API server's words, and nothing is left: no pod,
// and not the ConfigMap of the same file.
func TestProjectedConflictRefused(t *testing.T) {
	root(t)
	name := podName("projconflict")
	r := tryUp(t, name, tmpl(conflictingPod, name))
	t.Cleanup(func() { mp(t, "delete", "configmap", name+"-cm", "--ignore-not-found") })
	want := `spec.volumes[0].projected: Invalid value: "` + name + `-cm": conflicting duplicate paths`
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("up: %s\nwant a failure saying %q", r, want)
	}
	if g := mp(t, "get", name); g.code == 0 {
		t.Errorf("the refused pod exists: %s", g)
	}
	if g := mp(t, "get", "configmap", name+"-cm"); g.code == 0 {
		t.Errorf("the ConfigMap of a refused file was kept: %s", g)
	}
}

const tokenPod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  containers:
  - name: main
    image: busybox
    volumeMounts: [{name: token, mountPath: /var/run/secrets/tokens}]
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 7200}
`

// projectedTokenRefusal is what up says of a serviceAccountToken source.
const projectedTokenRefusal = "serviceAccountToken: not supported: a service account token is issued by an API server for a service account; one node has neither"

// TestProjectedServiceAccountTokenRefused: a token source is refused by
// name, saying why.
func TestProjectedServiceAccountTokenRefused(t *testing.T) {
	root(t)
	name := podName("projtoken")
	r := tryUp(t, name, tmpl(tokenPod, name))
	if want := "spec.volumes[0].projected.sources[0]." + projectedTokenRefusal; r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("up: %s\nwant a failure saying %q", r, want)
	}
}

// ---- Expose Pod Information to Containers Through Files
// https://kubernetes.io/docs/tasks/inject-data-application/downward-api-volume-expose-pod-information/

// TestK8sDocsDapiVolume (dapi-volume.yaml): the container's log shows the
// labels file, then the annotations file, and `cat /etc/podinfo/labels`
// prints cluster="test-cluster1", rack="rack-22", zone="us-est-coast",
// one per line. (The page's `ls -laR` shows the kubelet's ..data
// symlinks, kept for live updates; minipod writes the files in place.)
func TestK8sDocsDapiVolume(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/inject/dapi-volume.yaml")
	const ctr = "client-container"
	labels := "cluster=\"test-cluster1\"\nrack=\"rack-22\"\nzone=\"us-est-coast\""
	annotations := "build=\"two\"\nbuilder=\"john-doe\""
	waitLog(t, name, ctr, labels+"\n\n"+annotations, 20*time.Second)
	if got := execOut(t, name, ctr, "cat", "/etc/podinfo/labels"); got != labels {
		t.Errorf("cat /etc/podinfo/labels: %q, the page shows %q", got, labels)
	}
	if got := execOut(t, name, ctr, "cat", "/etc/podinfo/annotations"); got != annotations {
		t.Errorf("cat /etc/podinfo/annotations: %q, want %q", got, annotations)
	}
	if got := execOut(t, name, ctr, "stat", "-c", "%A %n", "/etc/podinfo/labels", "/etc/podinfo/annotations"); got != "-rw-r--r-- /etc/podinfo/labels\n-rw-r--r-- /etc/podinfo/annotations\n" {
		t.Errorf("the page shows both files -rw-r--r--: %q", got)
	}
}

// TestK8sDocsDapiVolumeResources (dapi-volume-resources.yaml): cpu_limit
// is limits.cpu (250m) in units of 1m, and the other files likewise:
// cpu_request 125, mem_limit 64 and mem_request 32 (Mi).
func TestK8sDocsDapiVolumeResources(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/inject/dapi-volume-resources.yaml")
	const ctr = "client-container"
	for file, want := range map[string]string{"cpu_limit": "250", "cpu_request": "125", "mem_limit": "64", "mem_request": "32"} {
		if got := execOut(t, name, ctr, "cat", "/etc/podinfo/"+file); got != want {
			t.Errorf("cat /etc/podinfo/%s: %q, want %q", file, got, want)
		}
	}
	waitLog(t, name, ctr, "\n\n250\n125\n64\n32", 20*time.Second)
}

// ---- Configure a Pod to Use a Projected Volume for Storage
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-projected-volume-storage/

// TestK8sDocsProjected (projected.yaml): with the Secrets user and pass
// made as the page makes them (`create secret generic --from-file` of
// username.txt and password.txt), the pod runs (1/1 Running) and
// /projected-volume holds both files.
func TestK8sDocsProjected(t *testing.T) {
	root(t)
	dir := t.TempDir()
	for file, value := range map[string]string{"username.txt": "admin", "password.txt": "1f2d1e2e67df"} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { mp(t, "delete", "secret", "user", "pass", "--ignore-not-found") })
	mustMP(t, "create", "secret", "generic", "user", "--from-file="+dir+"/username.txt")
	mustMP(t, "create", "secret", "generic", "pass", "--from-file="+dir+"/password.txt")

	name := mustUpDoc(t, "pods/storage/projected.yaml")
	if row := getRow(t, name); row["READY"] != "1/1" || row["STATUS"] != "Running" || row["RESTARTS"] != "0" {
		t.Errorf("get %s: %v, the page shows 1/1 Running 0", name, row)
	}
	if got := execOut(t, name, "test-projected-volume", "ls", "/projected-volume/"); got != "password.txt\nusername.txt\n" {
		t.Errorf("ls /projected-volume/: %q, want password.txt and username.txt", got)
	}
	for file, want := range map[string]string{"username.txt": "admin", "password.txt": "1f2d1e2e67df"} {
		if got := execOut(t, name, "test-projected-volume", "cat", "/projected-volume/"+file); got != want {
			t.Errorf("/projected-volume/%s: %q, want %q", file, got, want)
		}
	}
}

// ---- Projected Volumes
// https://kubernetes.io/docs/concepts/storage/projected-volumes/

// TestK8sDocsProjectedVolumeTest: the page's two volume-test examples,
// one after the other (same pod name, same Secret name).
//   - projected-secret-downwardapi-configmap.yaml: a Secret's key, the
//     pod's labels (none: an empty file) and its limits.cpu (none set: the
//     node's allocatable cores, rounded up) and a ConfigMap's key, in one
//     directory.
//   - projected-secrets-nondefault-permission-mode.yaml: an item's mode
//     (511, i.e. 0777) overrides the volume's default 0644.
func TestK8sDocsProjectedVolumeTest(t *testing.T) {
	root(t)
	t.Run("secret-downwardapi-configmap", func(t *testing.T) {
		t.Cleanup(func() {
			mp(t, "delete", "secret", "mysecret", "--ignore-not-found")
			mp(t, "delete", "configmap", "myconfigmap", "--ignore-not-found")
		})
		mustMP(t, "create", "secret", "generic", "mysecret", "--from-literal=username=admin")
		mustMP(t, "create", "configmap", "myconfigmap", "--from-literal=config=log-level=debug")
		name := mustUpDoc(t, "pods/storage/projected-secret-downwardapi-configmap.yaml")
		const ctr = "container-test"
		for file, want := range map[string]string{"my-group/my-username": "admin", "my-group/my-config": "log-level=debug", "labels": ""} {
			if got := execOut(t, name, ctr, "cat", "/projected-volume/"+file); got != want {
				t.Errorf("/projected-volume/%s: %q, want %q", file, got, want)
			}
		}
		cpu := execOut(t, name, ctr, "cat", "/projected-volume/cpu_limit")
		if n, err := strconv.Atoi(cpu); err != nil || n < 1 || n > runtime.NumCPU() {
			t.Errorf("cpu_limit %q, want the node's allocatable cores (1..%d)", cpu, runtime.NumCPU())
		}
		checkReadOnlyTmpfs(t, name, ctr, "/projected-volume")
	})
	t.Run("nondefault-permission-mode", func(t *testing.T) {
		t.Cleanup(func() { mp(t, "delete", "secret", "mysecret", "mysecret2", "--ignore-not-found") })
		mustMP(t, "create", "secret", "generic", "mysecret", "--from-literal=username=admin")
		mustMP(t, "create", "secret", "generic", "mysecret2", "--from-literal=password=1f2d1e2e67df")
		name := mustUpDoc(t, "pods/storage/projected-secrets-nondefault-permission-mode.yaml")
		got := execOut(t, name, "container-test", "stat", "-c", "%a %n", "/projected-volume/my-group/my-username", "/projected-volume/my-group/my-password")
		if got != "644 /projected-volume/my-group/my-username\n777 /projected-volume/my-group/my-password\n" {
			t.Errorf("modes: %q, want 644 (the default) and 777 (mode: 511)", got)
		}
	})
}

// TestK8sDocsProjectedRefused: the sources an API server issues are
// refused by name, saying why, and no pod is made.
func TestK8sDocsProjectedRefused(t *testing.T) {
	root(t)
	for file, want := range map[string]string{
		"pods/storage/projected-service-account-token.yaml": "spec.volumes[0].projected.sources[0]." + projectedTokenRefusal,
		"pods/storage/projected-clustertrustbundle.yaml":    "spec.volumes[0].projected.sources[0].clusterTrustBundle: not supported: ClusterTrustBundles are cluster objects kept by an API server, which one node does not have",
		"pods/storage/projected-podcertificate.yaml":        "spec.volumes[0].projected.sources[0].podCertificate: not supported: pod certificates are issued through an API server's PodCertificateRequests, which one node does not have",
	} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			name, r, _ := upDoc(t, file, cmdTimeout)
			if r.code == 0 || !strings.Contains(r.stderr, want) {
				t.Errorf("up %s: %s\nwant a failure saying %q", file, r, want)
			}
			if g := mp(t, "get", name); g.code == 0 {
				t.Errorf("the refused pod exists: %s", g)
			}
		})
	}
}
