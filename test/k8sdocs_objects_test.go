package test

// The Kubernetes documentation's Secret, ConfigMap and
// PersistentVolumeClaim examples, run unchanged (testdata/k8s-docs,
// sources in its SOURCES.md), each checked for what its page says a user
// sees. The pages are cited by their address on kubernetes.io; "the page"
// below is the one named in the section's comment. The page versions read
// are content/en/docs/tasks/inject-data-application/
// distribute-credentials-secure.md, .../configure-pod-container/
// configure-pod-configmap.md and .../configure-persistent-volume-storage.md,
// all at kubernetes/website 0189ae0f.
//
// Versions of the examples. The index the files were read from holds
// several versions of some of them and answers one by default; three of
// those defaults were not copied:
//   - pods/inject/pod-single-secret-env-variable.yaml [020bdd48] has no
//     apiVersion, names its pod secret-envars-test-pod and reads key
//     "username" of backend-user, which the page's Secret does not have;
//     the KYAML version [7a090ad7] is the one the page describes
//     (env-single-secret, key backend-username).
//   - pods/inject/pod-multiple-secret-env-variable.yaml [069842f2] is not
//     YAML (a tab before a second "env:" key); the KYAML version
//     [6ef03d7b] is the page's envvars-multiple-secrets.
//   - pods/pod-configmap-envFrom.yaml [00501bc5] names the image
//     registry.k8s.io/busybox without a tag (":latest", pulled every time,
//     and no registry is reachable here); the KYAML version [7a090ad7]
//     runs registry.k8s.io/busybox:1.27.2 like the page's other examples.
// configmap/game.properties is the Bengali tree's copy: the English file
// and ui.properties (either tree) are not in the index, so game-config is
// made from a directory holding game.properties alone.
//
// Several examples share fixed names (the pod dapi-test-pod, the
// ConfigMap special-config, the Secret test-secret...): the tests that
// use one hold it (holdDocObjects, upDoc), delete what an earlier run
// left, and delete every object they made at the end, checking that the
// files minipod kept for it are gone.

import (
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// docObject is an object of the documentation, by the kind `minipod
// get/delete` take and its fixed name (namespace default).
type docObject struct{ kind, name string }

func (o docObject) String() string { return o.kind + "/" + o.name }

// objPlural is where minipod keeps each kind: <root>/<plural>/<ns>/<name>.json.
var objPlural = map[string]string{"configmap": "configmaps", "secret": "secrets", "pvc": "persistentvolumeclaims"}

// holdDocObjects makes the test the only one using these objects until its
// end: it takes their names (before any pod's: every test takes its
// objects first, in one sorted call, so that no two wait on each other),
// deletes what an earlier run left, and registers their deletion, after
// the test's pods are down (cleanups run last-in first-out), and the check
// that nothing of them is left.
func holdDocObjects(t *testing.T, objs ...docObject) {
	t.Helper()
	objs = slices.Clone(objs)
	slices.SortFunc(objs, func(a, b docObject) int { return strings.Compare(a.String(), b.String()) })
	for _, o := range objs {
		if _, ok := objPlural[o.kind]; !ok {
			t.Fatalf("holdDocObjects: unknown kind %q", o.kind)
		}
		lockDocName(t, o.String()) // no pod name has a slash
		// The leak check of every test (ours) takes a new file naming
		// nothing of the suite as its own: the object's file (NAME.json)
		// and a claim's volume (pvc-UID_default_NAME) belong to this test.
		suitePods.Store(o.name+".json", true)
		suitePods.Store(o.name, true)
	}
	for _, o := range objs {
		r := mp(t, "delete", o.kind, o.name, "--ignore-not-found")
		if r.code != 0 {
			t.Fatalf("deleting %s, left by an earlier run: %s", o, r)
		}
		if strings.TrimSpace(r.stdout) != "" {
			t.Logf("deleted %s, left by an earlier run", o)
		}
	}
	t.Cleanup(func() {
		for _, o := range objs {
			if r := mp(t, "delete", o.kind, o.name, "--ignore-not-found"); r.code != 0 {
				t.Errorf("delete %s: %s", o, r)
			}
		}
		for _, o := range objs {
			checkObjectGone(t, o)
		}
	})
}

// objectFiles lists what minipod keeps of o on the node: its file under
// either root and, for a claim, its volume directory.
func objectFiles(o docObject) []string {
	var out []string
	for _, root := range []string{"/var/lib/minipod/objects", "/run/minipod/.objects"} {
		if p := filepath.Join(root, objPlural[o.kind], "default", o.name+".json"); exists(p) {
			out = append(out, p)
		}
	}
	if o.kind == "pvc" {
		m, _ := filepath.Glob("/var/lib/minipod/volumes/pvc-*_default_" + o.name)
		out = append(out, m...)
	}
	return out
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// checkObjectGone: `get` no longer finds o and nothing of it is on disk.
func checkObjectGone(t *testing.T, o docObject) {
	t.Helper()
	if r := mp(t, "get", o.kind, o.name); r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("%s is still there after its deletion: %s", o, r)
	}
	if left := objectFiles(o); len(left) > 0 {
		t.Errorf("%s left behind %v", o, left)
	}
}

// applyDoc runs `up -d` on a documentation file of objects (no pod),
// unchanged, and checks that it printed want, one line per object
// ("configmap/special-config created").
func applyDoc(t *testing.T, file string, want ...string) {
	t.Helper()
	r := mp(t, "up", "-d", filepath.Join(docsDir, file))
	if r.code != 0 {
		t.Fatalf("up -d %s: %s", file, r)
	}
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); !slices.Equal(got, want) {
		t.Errorf("up -d %s printed %q, want %q", file, got, want)
	}
}

// objRow returns the columns of name's row in `get KIND NAME`, cut at the
// header's column starts (headers are two or more blanks apart: kubectl's
// "ACCESS MODES" is one column).
func objRow(t testing.TB, kind, name string) map[string]string {
	t.Helper()
	out := mustMP(t, "get", kind, name)
	ls := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(ls) != 2 {
		t.Fatalf("get %s %s printed %q, want a header and one row", kind, name, out)
	}
	heads := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(ls[0]), -1)
	starts := make([]int, len(heads))
	from := 0
	for i, h := range heads {
		starts[i] = from + strings.Index(ls[0][from:], h)
		from = starts[i] + len(h)
	}
	row := map[string]string{}
	l := ls[1]
	for i, h := range heads {
		end := len(l)
		if i+1 < len(heads) && starts[i+1] < end {
			end = starts[i+1]
		}
		if starts[i] < end {
			row[h] = strings.TrimSpace(l[starts[i]:end])
		}
	}
	if row["NAME"] != name {
		t.Fatalf("get %s %s printed %q", kind, name, out)
	}
	return row
}

// getObject decodes `get KIND NAME -o yaml` strictly into a v1 object.
func getObject(t testing.TB, kind, name string, into any) {
	t.Helper()
	out := mustMP(t, "get", kind, name, "-o", "yaml")
	if err := yaml.UnmarshalStrict([]byte(out), into); err != nil {
		t.Fatalf("get %s %s -o yaml is not a v1 %s: %v\n%s", kind, name, kind, err, out)
	}
}

// completedLog waits for the example's pod (restartPolicy Never, one
// container that runs a command and exits) to succeed, and returns its
// container's log.
func completedLog(t *testing.T, name string) string {
	t.Helper()
	waitPod(t, name, 60*time.Second, "phase Succeeded", func(p *corev1.Pod) bool {
		if p.Status.Phase == corev1.PodFailed {
			t.Fatalf("pod %s failed: %+v", name, p.Status)
		}
		return p.Status.Phase == corev1.PodSucceeded
	})
	if row := getRow(t, name); row["STATUS"] != "Completed" {
		t.Errorf("get %s: %v, want STATUS Completed", name, row)
	}
	return mustMP(t, "logs", name)
}

// envLines returns the NAME=value lines of an `env` output that name one
// of the variables, in order.
func envLines(out string, names ...string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if k, _, ok := strings.Cut(l, "="); ok && slices.Contains(names, k) {
			got = append(got, l)
		}
	}
	return got
}

// ---- Distribute Credentials Securely Using Secrets
// https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/

const (
	docSecretUser = "my-app"
	docSecretPass = "39528$vdg7Jb"
)

// TestK8sDocsSecretVolume (secret.yaml, secret-pod.yaml): applying the
// Secret prints secret/test-secret created and `get secret test-secret`
// shows TYPE Opaque, DATA 2; the pod runs (1/1 Running), /etc/secret-volume
// lists password and username, and they hold my-app and 39528$vdg7Jb.
// Then secret-envars-pod.yaml (the page's earlier versions): printenv
// shows SECRET_USERNAME=my-app and SECRET_PASSWORD=39528$vdg7Jb.
func TestK8sDocsSecretVolume(t *testing.T) {
	root(t)
	holdDocObjects(t, docObject{"secret", "test-secret"})
	applyDoc(t, "pods/inject/secret.yaml", "secret/test-secret created")
	if row := objRow(t, "secret", "test-secret"); row["TYPE"] != "Opaque" || row["DATA"] != "2" {
		t.Errorf("get secret test-secret: %v, the page shows TYPE Opaque, DATA 2", row)
	}
	var sec corev1.Secret
	getObject(t, "secret", "test-secret", &sec)
	if string(sec.Data["username"]) != docSecretUser || string(sec.Data["password"]) != docSecretPass || len(sec.Data) != 2 {
		t.Errorf("get secret test-secret -o yaml: data %q, want username %q and password %q", sec.Data, docSecretUser, docSecretPass)
	}
	// minipod keeps Secrets under its run root (a tmpfs), never on disk.
	if f := objectFiles(docObject{"secret", "test-secret"}); len(f) != 1 || !strings.HasPrefix(f[0], "/run/minipod/") {
		t.Errorf("the Secret is kept in %v, want one file under /run/minipod", f)
	}

	name := mustUpDoc(t, "pods/inject/secret-pod.yaml")
	const ctr = "test-container"
	if row := getRow(t, name); row["READY"] != "1/1" || row["STATUS"] != "Running" || restarts(t, row) != 0 {
		t.Errorf("get %s: %v, the page shows 1/1 Running 0", name, row)
	}
	// The page's shell: cd /etc/secret-volume; ls; cat username; echo; cat password; echo
	if got := execOut(t, name, ctr, "/bin/bash", "-c", "cd /etc/secret-volume && ls"); !slices.Equal(strings.Fields(got), []string{"password", "username"}) {
		t.Errorf("ls /etc/secret-volume: %q, the page shows password username", got)
	}
	got := execOut(t, name, ctr, "/bin/bash", "-c", "cd /etc/secret-volume && cat username; echo; cat password; echo")
	if want := docSecretUser + "\n" + docSecretPass + "\n"; got != want {
		t.Errorf("cat username; cat password: %q, the page shows %q", got, want)
	}
	// A Secret volume is a tmpfs (Kubernetes never writes it to the node's
	// disk), mounted read-only as the manifest asks.
	mnt := strings.Fields(execOut(t, name, ctr, "/bin/sh", "-c", "grep ' /etc/secret-volume ' /proc/mounts"))
	if len(mnt) < 4 || mnt[2] != "tmpfs" || !slices.Contains(strings.Split(mnt[3], ","), "ro") {
		t.Errorf("/etc/secret-volume is mounted %q, want a read-only tmpfs", mnt)
	}
	if r := mp(t, "exec", name, "-c", ctr, "--", "/bin/sh", "-c", "echo x > /etc/secret-volume/username"); r.code == 0 {
		t.Errorf("a readOnly Secret volume took a write: %s", r)
	}

	envName := mustUpDoc(t, "pods/inject/secret-envars-pod.yaml")
	env := execOut(t, envName, "envars-test-container", "printenv")
	want := []string{"SECRET_USERNAME=" + docSecretUser, "SECRET_PASSWORD=" + docSecretPass}
	if got := envLines(env, "SECRET_USERNAME", "SECRET_PASSWORD"); !slices.Equal(got, want) {
		t.Errorf("printenv: %q, the page shows %q", got, want)
	}
}

// TestK8sDocsSecretEnv: `create secret generic backend-user
// --from-literal=backend-username='backend-admin'`, then
// pod-single-secret-env-variable.yaml: echo $SECRET_USERNAME prints
// backend-admin. The page then creates backend-user again (as kubectl
// does, that fails: it exists) and db-user, and
// pod-multiple-secret-env-variable.yaml: env | grep _USERNAME shows
// DB_USERNAME=db-admin and BACKEND_USERNAME=backend-admin.
func TestK8sDocsSecretEnv(t *testing.T) {
	root(t)
	holdDocObjects(t, docObject{"secret", "backend-user"}, docObject{"secret", "db-user"})
	if got := mustMP(t, "create", "secret", "generic", "backend-user", "--from-literal=backend-username=backend-admin"); got != "secret/backend-user created\n" {
		t.Errorf("create secret generic backend-user printed %q, as kubectl: secret/backend-user created", got)
	}
	single := mustUpDoc(t, "pods/inject/pod-single-secret-env-variable.yaml")
	if got := execOut(t, single, "", "/bin/sh", "-c", "echo $SECRET_USERNAME"); got != "backend-admin\n" {
		t.Errorf("echo $SECRET_USERNAME: %q, the page shows backend-admin", got)
	}

	if r := mp(t, "create", "secret", "generic", "backend-user", "--from-literal=backend-username=backend-admin"); r.code == 0 || !strings.Contains(r.stderr, `"backend-user" already exists`) {
		t.Errorf("creating backend-user again: want kubectl's AlreadyExists error, got %s", r)
	}
	mustMP(t, "create", "secret", "generic", "db-user", "--from-literal=db-username=db-admin")
	multi := mustUpDoc(t, "pods/inject/pod-multiple-secret-env-variable.yaml")
	got := strings.Fields(execOut(t, multi, "", "/bin/sh", "-c", "env | grep _USERNAME"))
	slices.Sort(got)
	if want := []string{"BACKEND_USERNAME=backend-admin", "DB_USERNAME=db-admin"}; !slices.Equal(got, want) {
		t.Errorf("env | grep _USERNAME: %q, the page shows %q", got, want)
	}
}

// TestK8sDocsSecretEnvFrom: `create secret generic test-secret
// --from-literal=username='my-app' --from-literal=password='39528$vdg7Jb'`
// makes the same Secret as secret.yaml; with pod-secret-envFrom.yaml the
// page's echo "username: $username\npassword: $password" prints
// username: my-app and password: 39528$vdg7Jb.
func TestK8sDocsSecretEnvFrom(t *testing.T) {
	root(t)
	holdDocObjects(t, docObject{"secret", "test-secret"})
	mustMP(t, "create", "secret", "generic", "test-secret", "--from-literal=username="+docSecretUser, "--from-literal=password="+docSecretPass)
	var sec corev1.Secret
	getObject(t, "secret", "test-secret", &sec)
	if sec.Type != corev1.SecretTypeOpaque || len(sec.Data) != 2 || string(sec.Data["username"]) != docSecretUser || string(sec.Data["password"]) != docSecretPass {
		t.Errorf("the created Secret: type %q data %q, want Opaque, the data of secret.yaml", sec.Type, sec.Data)
	}
	// The manifest's base64 is the page's: bXktYXBw, Mzk1MjgkdmRnN0pi.
	if out := mustMP(t, "get", "secret", "test-secret", "-o", "json"); !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(docSecretPass))) ||
		!strings.Contains(out, `"bXktYXBw"`) {
		t.Errorf("get -o json does not show the base64 the page computes:\n%s", out)
	}
	name := mustUpDoc(t, "pods/inject/pod-secret-envFrom.yaml")
	got := execOut(t, name, "", "/bin/sh", "-c", `echo "username: $username\npassword: $password"`)
	if want := "username: " + docSecretUser + "\npassword: " + docSecretPass + "\n"; got != want {
		t.Errorf("echo: %q, the page shows %q", got, want)
	}
}

// TestK8sDocsSecretCreatedLate: the single-Secret pod applied before its
// Secret exists does not start (CreateContainerConfigError, up -d warns
// that it is Pending) and, as a kubelet retries, starts once
// `create secret generic backend-user` has made it.
func TestK8sDocsSecretCreatedLate(t *testing.T) {
	root(t)
	holdDocObjects(t, docObject{"secret", "backend-user"})
	name, r, timedOut := upDoc(t, "pods/inject/pod-single-secret-env-variable.yaml", 60*time.Second)
	if timedOut || r.code != 0 || !strings.Contains(r.stderr, "is Pending") || !strings.Contains(r.stderr, "backend-user") {
		t.Fatalf("up -d of a pod whose Secret is missing (timed out: %v): want exit 0 and a warning that the pod is Pending on backend-user, got %s", timedOut, r)
	}
	row := waitStatus(t, name, "CreateContainerConfigError", 30*time.Second)
	if row["READY"] != "0/1" {
		t.Errorf("get %s: %v, want 0/1 CreateContainerConfigError", name, row)
	}
	mustMP(t, "create", "secret", "generic", "backend-user", "--from-literal=backend-username=backend-admin")
	waitPod(t, name, 30*time.Second, "running once its Secret exists", allRunning)
	if got := execOut(t, name, "", "/bin/sh", "-c", "echo $SECRET_USERNAME"); got != "backend-admin\n" {
		t.Errorf("echo $SECRET_USERNAME: %q, want backend-admin", got)
	}
}

// ---- Configure a Pod to Use a ConfigMap
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/

// gameProperties is configmap/game.properties, which the page downloads
// into configure-pod-container/configmap/.
func gameProperties(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(docsDir, "configmap/game.properties"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestK8sDocsConfigMapCreate: the page's `kubectl create configmap` forms.
// From a directory: every regular file is a key named after it, and
// subdirectories and symlinks are ignored (game-config; the page's
// directory also holds ui.properties, which could not be copied, see the
// top of this file). From a file (game-config-2), from a file under a key
// of one's own (game-config-3: game-special-key), from literals
// (special-config: special.how very, special.type charm). Each shows in
// `get configmaps NAME -o yaml` under data, as the page shows, and in the
// DATA column of `get configmap`.
func TestK8sDocsConfigMapCreate(t *testing.T) {
	root(t)
	holdDocObjects(t, docObject{"configmap", "game-config"}, docObject{"configmap", "game-config-2"},
		docObject{"configmap", "game-config-3"}, docObject{"configmap", "special-config"})
	game := gameProperties(t)
	// mkdir -p configure-pod-container/configmap/, and the download.
	dir := filepath.Join(t.TempDir(), "configure-pod-container", "configmap")
	if err := os.MkdirAll(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "game.properties"), []byte(game), 0o644); err != nil {
		t.Fatal(err)
	}
	// "Any directory entries except regular files are ignored".
	if err := os.WriteFile(filepath.Join(dir, "subdir", "nested.properties"), []byte("x=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("game.properties", filepath.Join(dir, "link.properties")); err != nil {
		t.Fatal(err)
	}

	check := func(name string, want map[string]string) {
		t.Helper()
		var cm corev1.ConfigMap
		getObject(t, "configmaps", name, &cm)
		if cm.Kind != "ConfigMap" || cm.APIVersion != "v1" || cm.Name != name || cm.Namespace != "default" || cm.UID == "" || cm.CreationTimestamp.IsZero() {
			t.Errorf("get configmaps %s -o yaml: %+v, want a v1 ConfigMap in default with a uid and creationTimestamp", name, cm.ObjectMeta)
		}
		if len(cm.Data) != len(want) || len(cm.BinaryData) != 0 {
			t.Errorf("configmap %s has data keys %v (binaryData %v), want %v", name, slices.Sorted(maps.Keys(cm.Data)), cm.BinaryData, slices.Sorted(maps.Keys(want)))
		}
		for k, v := range want {
			if cm.Data[k] != v {
				t.Errorf("configmap %s data[%s] = %q, want %q", name, k, cm.Data[k], v)
			}
		}
		if row := objRow(t, "configmap", name); row["DATA"] != strconv.Itoa(len(want)) {
			t.Errorf("get configmap %s: %v, want DATA %d", name, row, len(want))
		}
	}

	if got := mustMP(t, "create", "configmap", "game-config", "--from-file="+dir+"/"); got != "configmap/game-config created\n" {
		t.Errorf("create configmap game-config printed %q", got)
	}
	check("game-config", map[string]string{"game.properties": game})

	mustMP(t, "create", "configmap", "game-config-2", "--from-file="+filepath.Join(dir, "game.properties"))
	check("game-config-2", map[string]string{"game.properties": game})

	mustMP(t, "create", "configmap", "game-config-3", "--from-file=game-special-key="+filepath.Join(dir, "game.properties"))
	check("game-config-3", map[string]string{"game-special-key": game})

	mustMP(t, "create", "configmap", "special-config", "--from-literal=special.how=very", "--from-literal=special.type=charm")
	check("special-config", map[string]string{"special.how": "very", "special.type": "charm"})
}

// TestK8sDocsConfigMapEnv: the page's environment variable examples, one
// after the other (they share the pod name dapi-test-pod and the
// ConfigMap special-config). Each pod runs env (or echo) once and
// completes; its output is its log.
func TestK8sDocsConfigMapEnv(t *testing.T) {
	root(t)
	// create configmap special-config --from-literal=special.how=very;
	// pod-single-configmap-env-variable.yaml: the output includes
	// SPECIAL_LEVEL_KEY=very.
	t.Run("single", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		mustMP(t, "create", "configmap", "special-config", "--from-literal=special.how=very")
		name := mustUpDoc(t, "pods/pod-single-configmap-env-variable.yaml")
		if got := envLines(completedLog(t, name), "SPECIAL_LEVEL_KEY"); !slices.Equal(got, []string{"SPECIAL_LEVEL_KEY=very"}) {
			t.Errorf("env: %q, the page shows SPECIAL_LEVEL_KEY=very", got)
		}
	})
	// configmaps.yaml (special-config, env-config);
	// pod-multiple-configmap-env-variable.yaml: SPECIAL_LEVEL_KEY=very and
	// LOG_LEVEL=INFO.
	t.Run("multiple", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "env-config"}, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmaps.yaml", "configmap/env-config created", "configmap/special-config created")
		name := mustUpDoc(t, "pods/pod-multiple-configmap-env-variable.yaml")
		got := envLines(completedLog(t, name), "SPECIAL_LEVEL_KEY", "LOG_LEVEL")
		slices.Sort(got)
		if want := []string{"LOG_LEVEL=INFO", "SPECIAL_LEVEL_KEY=very"}; !slices.Equal(got, want) {
			t.Errorf("env: %q, the page shows %q", got, want)
		}
	})
	// configmap-multikeys.yaml; pod-configmap-envFrom.yaml: every key is a
	// variable: SPECIAL_LEVEL=very and SPECIAL_TYPE=charm.
	t.Run("envFrom", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config created")
		name := mustUpDoc(t, "pods/pod-configmap-envFrom.yaml")
		got := envLines(completedLog(t, name), "SPECIAL_LEVEL", "SPECIAL_TYPE")
		slices.Sort(got)
		if want := []string{"SPECIAL_LEVEL=very", "SPECIAL_TYPE=charm"}; !slices.Equal(got, want) {
			t.Errorf("env: %q, the page shows %q", got, want)
		}
	})
	// configmap-multikeys.yaml; pod-configmap-env-var-valueFrom.yaml: the
	// command's $(SPECIAL_LEVEL_KEY) $(SPECIAL_TYPE_KEY) are expanded:
	// test-container prints very charm.
	t.Run("command", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config created")
		name := mustUpDoc(t, "pods/pod-configmap-env-var-valueFrom.yaml")
		if got := completedLog(t, name); got != "very charm\n" {
			t.Errorf("output %q, the page shows very charm", got)
		}
	})
}

// TestK8sDocsConfigMapVolume: the page's volume examples, one after the
// other (same pod and ConfigMap names), with configmap-multikeys.yaml.
func TestK8sDocsConfigMapVolume(t *testing.T) {
	root(t)
	// pod-configmap-volume.yaml: ls /etc/config/ prints SPECIAL_LEVEL and
	// SPECIAL_TYPE, the ConfigMap's keys.
	t.Run("volume", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config created")
		name := mustUpDoc(t, "pods/pod-configmap-volume.yaml")
		if got := completedLog(t, name); got != "SPECIAL_LEVEL\nSPECIAL_TYPE\n" {
			t.Errorf("ls /etc/config/: %q, the page shows SPECIAL_LEVEL and SPECIAL_TYPE", got)
		}
	})
	// pod-configmap-volume-specific-key.yaml: only SPECIAL_LEVEL, at
	// /etc/config/keys: cat prints very.
	t.Run("specific key", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config created")
		name := mustUpDoc(t, "pods/pod-configmap-volume-specific-key.yaml")
		if got := completedLog(t, name); got != "very\n" {
			t.Errorf("cat /etc/config/keys: %q, the page shows very", got)
		}
	})
	// The page's restrictions: a pod referencing a ConfigMap that does not
	// exist does not start. pod-configmap-volume.yaml before its ConfigMap:
	// up -d warns that the pod is Pending, describe shows FailedMount
	// naming special-config; once configmap-multikeys.yaml is applied the
	// pod starts, as a kubelet retrying, and lists the keys.
	t.Run("ConfigMap missing", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "special-config"})
		name, r, timedOut := upDoc(t, "pods/pod-configmap-volume.yaml", 60*time.Second)
		if timedOut || r.code != 0 || !strings.Contains(r.stderr, "is Pending") {
			t.Fatalf("up -d of a pod whose ConfigMap is missing (timed out: %v): want exit 0 and a warning that it is Pending, got %s", timedOut, r)
		}
		checkNotStarted(t, name, `configmap "special-config" not found`)
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config created")
		if got := completedLog(t, name); got != "SPECIAL_LEVEL\nSPECIAL_TYPE\n" {
			t.Errorf("ls /etc/config/: %q, want SPECIAL_LEVEL and SPECIAL_TYPE", got)
		}
	})
	// Likewise a key that the ConfigMap lacks: the specific-key pod with
	// configmaps.yaml's special-config (special.how only) does not start
	// (FailedMount: non-existent config key SPECIAL_LEVEL); applying
	// configmap-multikeys.yaml replaces the ConfigMap (configured) and the
	// pod starts and prints very.
	t.Run("key missing", func(t *testing.T) {
		testutil.RequiresRoot(t)
		holdDocObjects(t, docObject{"configmap", "env-config"}, docObject{"configmap", "special-config"})
		applyDoc(t, "configmap/configmaps.yaml", "configmap/env-config created", "configmap/special-config created")
		name, r, timedOut := upDoc(t, "pods/pod-configmap-volume-specific-key.yaml", 60*time.Second)
		if timedOut || r.code != 0 || !strings.Contains(r.stderr, "is Pending") {
			t.Fatalf("up -d of a pod whose ConfigMap key is missing (timed out: %v): want exit 0 and a warning that it is Pending, got %s", timedOut, r)
		}
		checkNotStarted(t, name, "SPECIAL_LEVEL")
		applyDoc(t, "configmap/configmap-multikeys.yaml", "configmap/special-config configured")
		if got := completedLog(t, name); got != "very\n" {
			t.Errorf("cat /etc/config/keys: %q, want very", got)
		}
	})
}

// checkNotStarted: pod name waits for its volume: 0/1 ContainerCreating,
// no container started, a FailedMount event whose message has msg.
func checkNotStarted(t *testing.T, name, msg string) {
	t.Helper()
	if row := getRow(t, name); row["READY"] != "0/1" || row["STATUS"] != "ContainerCreating" {
		t.Errorf("get %s: %v, want 0/1 ContainerCreating", name, row)
	}
	p := getPod(t, name)
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running != nil || s.State.Terminated != nil {
			t.Errorf("container %s started without its volume: %+v", s.Name, s.State)
		}
	}
	d := mustMP(t, "describe", name)
	if !regexp.MustCompile(`Warning\s+FailedMount\s.*` + regexp.QuoteMeta(msg)).MatchString(d) {
		t.Errorf("describe has no Warning FailedMount event naming %q:\n%s", msg, d)
	}
}

// ---- Configure a Pod to Use a PersistentVolume for Storage
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-persistent-volume-storage/

// TestK8sDocsPVClaim: the page's cluster administrator creates a hostPath
// PersistentVolume (pv-volume.yaml); minipod has no PersistentVolumes (a
// claim gets a local directory instead), so up refuses that file naming
// the kind, and creates nothing, not even the claim given with it. The
// claim (pv-claim.yaml) is created (persistentvolumeclaim/task-pv-claim
// created) and, with no volume yet, Pending; the pod (pv-pod.yaml) runs,
// and the claim is then Bound to its volume: 3Gi, RWO, storage class
// manual. A file written into the volume (the page's index.html, "Hello
// from Kubernetes storage") is what nginx serves; it outlives the pod
// (down, up again: still served), the claim cannot be deleted while the
// pod uses it, and the page's clean-up (delete pod, delete pvc) removes
// the volume's directory.
func TestK8sDocsPVClaim(t *testing.T) {
	root(t)
	const pod, claim = "task-pv-pod", "task-pv-claim"
	clearLeftover(t, pod) // a leftover pod would hold the claim
	holdDocObjects(t, docObject{"pvc", claim})

	pvFile, claimFile := filepath.Join(docsDir, "pods/storage/pv-volume.yaml"), filepath.Join(docsDir, "pods/storage/pv-claim.yaml")
	for _, args := range [][]string{{"up", "-d", pvFile}, {"up", "-d", "-f", pvFile, "-f", claimFile}} {
		r := mp(t, args...)
		if r.code == 0 || !strings.Contains(r.stderr, `PersistentVolume "task-pv-volume"`) || !strings.Contains(r.stderr, "kind") {
			t.Errorf("%s: want a refusal naming the PersistentVolume kind, got %s", strings.Join(args, " "), r)
		}
		if g := mp(t, "get", "pvc", claim); g.code == 0 {
			t.Errorf("a refused manifest created the claim: %s", g)
		}
	}

	applyDoc(t, "pods/storage/pv-claim.yaml", "persistentvolumeclaim/"+claim+" created")
	if row := objRow(t, "pvc", claim); row["STATUS"] != "Pending" || row["STORAGECLASS"] != "manual" {
		t.Errorf("get pvc %s before any pod: %v, want Pending (no volume yet), STORAGECLASS manual", claim, row)
	}

	name := mustUpDoc(t, "pods/storage/pv-pod.yaml")
	var pvc corev1.PersistentVolumeClaim
	getObject(t, "pvc", claim, &pvc)
	row := objRow(t, "pvc", claim)
	if row["STATUS"] != "Bound" || row["VOLUME"] != "pvc-"+string(pvc.UID) || row["CAPACITY"] != "3Gi" || row["ACCESS MODES"] != "RWO" || row["STORAGECLASS"] != "manual" {
		t.Errorf("get pvc %s: %v, want Bound to pvc-%s, 3Gi, RWO, manual (the page's claim is Bound to its PersistentVolume)", claim, row, pvc.UID)
	}
	dirs := objectFiles(docObject{"pvc", claim})
	vol := ""
	for _, d := range dirs {
		if strings.HasPrefix(d, "/var/lib/minipod/volumes/") {
			vol = d
		}
	}
	if vol == "" {
		t.Fatalf("no volume directory for claim %s among %v", claim, dirs)
	}

	const hello = "Hello from Kubernetes storage"
	execOut(t, name, "task-pv-container", "/bin/sh", "-c", "echo '"+hello+"' > /usr/share/nginx/html/index.html")
	if b, err := os.ReadFile(filepath.Join(vol, "index.html")); err != nil || string(b) != hello+"\n" {
		t.Errorf("the claim's directory %s on the node holds index.html %q (%v), want %q", vol, b, err, hello)
	}
	// curl http://localhost/ in the page; the stand-in nginx has no curl:
	// the node asks the pod's address.
	waitHTTP(t, "http://"+podIPOf(t, name)+"/", hello, 10*time.Second)

	if r := mp(t, "delete", "pvc", claim); r.code == 0 || !strings.Contains(r.stderr, pod) {
		t.Errorf("delete pvc %s while %s uses it: want a refusal naming the pod, got %s", claim, pod, r)
	}

	if r := mp(t, "down", name, "--grace-period", docsGrace); r.code != 0 {
		t.Fatalf("down %s: %s", name, r)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "index.html")); err != nil || string(b) != hello+"\n" {
		t.Errorf("after the pod's down, the claim's index.html is %q (%v), want it kept", b, err)
	}
	if r := mp(t, "up", "-d", filepath.Join(docsDir, "pods/storage/pv-pod.yaml")); r.code != 0 {
		t.Fatalf("up -d the pod again: %s", r)
	}
	waitHTTP(t, "http://"+podIPOf(t, name)+"/", hello, 10*time.Second)

	// Clean up: kubectl delete pod task-pv-pod; kubectl delete pvc task-pv-claim.
	mustMP(t, "delete", "pod", name, "--grace-period", docsGrace)
	if got := mustMP(t, "delete", "pvc", claim); got != `persistentvolumeclaim "`+claim+`" deleted`+"\n" {
		t.Errorf("delete pvc printed %q, as kubectl: persistentvolumeclaim %q deleted", got, claim)
	}
	if exists(vol) {
		t.Errorf("the claim's volume %s outlived the claim", vol)
	}
	checkObjectGone(t, docObject{"pvc", claim})
}
