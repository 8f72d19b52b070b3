package test

// The hostPath examples of the Kubernetes documentation's Volumes concept
// page (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath),
// run unchanged. They are code blocks of the page, not example files: the
// copies under testdata/k8s-docs/concepts/storage are the blocks' lines
// byte for byte (page, commit, lines and blob ids in SOURCES.md, section
// "Inline examples"). "The page" below is that page.
//
// The Linux examples run registry.k8s.io/test-webserver untagged or
// ":latest", i.e. with imagePullPolicy Always: a node pulls the image
// every time and a copy already on the node is not used. This machine
// reaches no registry, so the test serves the stand-in image
// (scripts/build-images.sh, rootfs/test-webserver.sh) from a registry of
// its own that answers for registry.k8s.io: minipod is run with
// HTTPS_PROXY naming a proxy of the test, which terminates the CONNECT
// tunnel to registry.k8s.io:443 with a certificate of a test CA, and
// SSL_CERT_FILE naming that CA. Nothing on the host (hosts file, trust
// store, node settings) is changed for it.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// The inline examples, relative to docsDir.
const (
	docHostPathLinux        = "concepts/storage/hostpath-example-linux.yaml"
	docHostPathWindows      = "concepts/storage/hostpath-example-windows.yaml"
	docHostPathFileOrCreate = "concepts/storage/hostpath-fileorcreate-example.yaml"
)

// testWebserverStandIn is the directory image (under the images root)
// served as registry.k8s.io/test-webserver:latest.
const testWebserverStandIn = "registry.k8s.io/test-webserver/latest"

// TestK8sDocsHostPath runs the page's hostPath examples, one after the
// other (they share the image, which the test removes at the end if it
// was not in the store before).
func TestK8sDocsHostPath(t *testing.T) {
	root(t)
	reg, o := k8sImage(t, testWebserverStandIn, "test-webserver", "sudo scripts/build-images.sh registry.k8s.io/test-webserver")

	t.Run("Directory", func(t *testing.T) { testDocHostPathDirectory(t, reg, o) })
	t.Run("FileOrCreate", func(t *testing.T) { testDocHostPathFileOrCreate(t, reg, o) })
	t.Run("Windows", testDocHostPathWindows)
}

// testDocHostPathDirectory (hostpath-example-linux.yaml, "hostPath
// configuration example", Linux node): the page mounts the host's
// /data/foo read-only at /foo, "but only if that directory already
// exists". Where /data/foo is absent, the test first shows that: the pod
// is created and waits (FailedMount, as the kubelet retries the mount)
// until the test makes the directory, then starts. The container sees
// the host's directory itself (a file the host writes while the pod runs
// is served by test-webserver, which serves the container's files), cannot
// write to it, and `up` warns that the volume gives the pod the host's
// /data/foo. The test removes exactly what it made of /data/foo.
func testDocHostPathDirectory(t *testing.T, reg *testRegistry, o runOpts) {
	const dir = "/data/foo"
	made := missingFrom(t, dir)
	// Registered before the pod's teardown, so it runs after it.
	t.Cleanup(func() { removeMade(t, made) })
	if made == "" {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			t.Skipf("the host's %s is not a directory (%v): the example needs one", dir, err)
		}
		t.Logf("%s exists on this host: it is used as it is (only the test's own file is added and removed)", dir)
	}
	file := filepath.Join(dir, uniq("minipod-docs-hostpath")+".txt")
	t.Cleanup(func() {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("remove the test's file: %v", err)
		}
	})

	name, r, timedOut := upDoc(t, docHostPathLinux, cmdTimeout, o)
	if timedOut || r.code != 0 {
		t.Fatalf("up (timed out: %v): %s", timedOut, r)
	}
	wantHostPathWarning(t, r, 0, "example-volume", dir)
	const ctr = "example-container"
	if made != "" {
		// "only if that directory already exists": the pod waits.
		waitFor(t, 30*time.Second, "a FailedMount event for example-volume", func() bool {
			d := mp(t, "describe", name).stdout
			return regexp.MustCompile(`Warning\s+FailedMount\s.*example-volume`).MatchString(d)
		})
		p := getPod(t, name)
		if s := ctrStatus(t, p, ctr); s.State.Waiting == nil || s.State.Waiting.Reason != "ContainerCreating" {
			t.Errorf("without %s the container is %+v, want waiting ContainerCreating", dir, s.State)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(file, []byte("before the start\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, name, 60*time.Second, "running", allRunning)

	if n := reg.count("GET", "/v2/test-webserver/manifests/"); n == 0 {
		t.Errorf("the image was not pulled from the registry (imagePullPolicy %s)", p.Spec.Containers[0].ImagePullPolicy)
	}
	if p.Spec.Containers[0].ImagePullPolicy != corev1.PullAlways {
		t.Errorf("imagePullPolicy %q, want Always (the image has no tag)", p.Spec.Containers[0].ImagePullPolicy)
	}
	url := "http://" + p.Status.PodIP + "/foo/" + filepath.Base(file)
	waitHTTP(t, url, "before the start", 20*time.Second)
	// The host's directory itself, not a copy: what the host writes now
	// is what the container serves.
	if err := os.WriteFile(file, []byte("written by the host while the pod runs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitHTTP(t, url, "written by the host while the pod runs", 10*time.Second)
	// "The mount into the container is read-only."
	w := filepath.Join(dir, uniq("minipod-docs-write")+".txt")
	t.Cleanup(func() { _ = os.Remove(w) })
	if r := mp(t, "exec", name, "-c", ctr, "--", "touch", "/foo/"+filepath.Base(w)); r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("a write in the read-only mount: %s", r)
	}
	if _, err := os.Lstat(w); err == nil {
		t.Errorf("the container wrote %s on the host through a read-only mount", w)
	}
	desc := mustMP(t, "describe", name)
	if !regexp.MustCompile(`(?m)^  example-volume:\n    Type:\s+HostPath \(bare host directory volume\)\n    Path:\s+/data/foo\n    HostPathType:\s*Directory\n`).MatchString(desc) {
		t.Errorf("describe does not show example-volume as kubectl does:\n%s", desc)
	}
}

// testDocHostPathFileOrCreate (hostpath-fileorcreate-example.yaml,
// "hostPath FileOrCreate configuration example"): "If the node does not
// already have a path /var/local/aaa, the kubelet creates it as a
// directory and then mounts it into the Pod", and makes the file
// /var/local/aaa/1.txt inside it (DirectoryOrCreate 0755, FileOrCreate
// 0644, as the page's table of types says). The container sees that file
// at /var/local/aaa/1.txt, the same file as the host's; `up` warns for
// both volumes; both stay after the pod (the kubelet removes nothing of a
// hostPath), and the test then removes what was made.
func testDocHostPathFileOrCreate(t *testing.T, reg *testRegistry, o runOpts) {
	const dir, file = "/var/local/aaa", "/var/local/aaa/1.txt"
	made := missingFrom(t, file)
	if made == "" {
		t.Skipf("%s exists on this host: the example would use it, and the test does not touch it", file)
	}
	// Registered before the pod's teardown, so it runs after it: what the
	// pod made stays after the pod, as on a node, and only then goes.
	t.Cleanup(func() {
		for _, p := range []string{dir, file} {
			if _, err := os.Lstat(p); err != nil {
				t.Errorf("after the pod, the host's %s: %v (what DirectoryOrCreate/FileOrCreate made stays)", p, err)
			}
		}
		removeMade(t, made)
	})

	name, r, timedOut := upDoc(t, docHostPathFileOrCreate, cmdTimeout, o)
	if timedOut || r.code != 0 {
		t.Fatalf("up (timed out: %v): %s", timedOut, r)
	}
	wantHostPathWarning(t, r, 0, "mydir", dir)
	wantHostPathWarning(t, r, 1, "myfile", file)
	p := waitPod(t, name, 60*time.Second, "running", allRunning)
	if n := reg.count("GET", "/v2/test-webserver/manifests/latest"); n == 0 {
		t.Errorf("the image was not pulled from the registry")
	}

	want := map[string]os.FileMode{file: 0o644}
	if made == dir {
		want[dir] = fs.ModeDir | 0o755
	}
	for path, mode := range want {
		info, err := os.Lstat(path)
		if err != nil || info.Mode() != mode {
			t.Errorf("the host's %s: %v, %v; the page: made as needed with permission %v", path, info, err, mode)
			continue
		}
		if mode.IsRegular() && info.Size() != 0 {
			t.Errorf("%s was made with %d bytes, want an empty file", path, info.Size())
		}
	}
	// The same file on both sides: written by the container, read by the
	// host; written by the host, served by the container's test-webserver.
	execOut(t, name, "test-webserver", "sh", "-c", "echo written in the pod > "+file)
	if b, err := os.ReadFile(file); err != nil || string(b) != "written in the pod\n" {
		t.Errorf("the host reads %q, %v", b, err)
	}
	if err := os.WriteFile(file, []byte("written by the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitHTTP(t, "http://"+p.Status.PodIP+file, "written by the host", 20*time.Second)
}

// testDocHostPathWindows (hostpath-example-windows.yaml, the same example's
// "Windows node" tab): a pod for Windows nodes (spec.os.name windows,
// nodeSelector kubernetes.io/os: windows, C:\ paths), which no Linux node
// runs: up refuses it, naming the field, and creates nothing.
func testDocHostPathWindows(t *testing.T) {
	name, r, timedOut := upDoc(t, docHostPathWindows, cmdTimeout)
	if timedOut || r.code == 0 || !strings.Contains(r.stderr, "spec.os.name") || !strings.Contains(r.stderr, "this node runs Linux") {
		t.Fatalf("up of a Windows pod (timed out: %v): %s", timedOut, r)
	}
	if _, err := os.Stat("/run/minipod/" + name); err == nil {
		t.Errorf("the refused pod %s exists", name)
	}
}

// wantHostPathWarning checks up's warning for volume i.
func wantHostPathWarning(t *testing.T, r result, i int, vol, path string) {
	t.Helper()
	want := "Warning: spec.volumes[" + string(rune('0'+i)) + "].hostPath: volume \"" + vol + "\" gives the pod access to the host's " +
		path + "; PodSecurity's baseline level forbids hostPath volumes"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("up does not warn %q:\n%s", want, r.stderr)
	}
}

// missingFrom returns the highest ancestor of path (or path itself) that
// does not exist, "" if path exists: what making path would make.
func missingFrom(t *testing.T, path string) string {
	t.Helper()
	missing := ""
	for p := path; p != "/"; p = filepath.Dir(p) {
		_, err := os.Lstat(p)
		switch {
		case err == nil:
			return missing
		case errors.Is(err, fs.ErrNotExist):
			missing = p
		default:
			t.Fatal(err)
		}
	}
	return missing
}

// removeMade removes top, which the test (or its pod) made, and what is
// in it, which must be only what the test and the example made.
func removeMade(t *testing.T, top string) {
	t.Helper()
	if top == "" {
		return
	}
	if err := os.RemoveAll(top); err != nil {
		t.Errorf("remove %s, which the test made: %v", top, err)
	}
}

// k8sRegistry starts a registry that minipod reaches as registry.k8s.io
// with the returned options: an HTTPS proxy of the test terminates the
// tunnel to registry.k8s.io:443 with a certificate of a CA made here, and
// SSL_CERT_FILE names that CA. The registry's images are pushed through
// its plain-HTTP address (reg.push); its requests are counted either way.
// k8sImage serves the directory image standIn (under the images root) as
// registry.k8s.io/REPO:latest, which a documentation example pulls
// (untagged: imagePullPolicy Always), from k8sRegistry; the pulled copy
// is removed when the test ends unless the store had one before. build
// says how to make a missing stand-in.
func k8sImage(t *testing.T, standIn, repo, build string) (*testRegistry, runOpts) {
	t.Helper()
	reg, o := k8sRegistry(t)
	imgRoot := os.Getenv("MINIPOD_IMAGES")
	if imgRoot == "" {
		imgRoot = imagesRoot
	}
	tree := filepath.Join(imgRoot, standIn)
	img, err := dirImage(t, tree)
	if err != nil {
		t.Fatalf("no stand-in image for registry.k8s.io/%s at %s (build it: %s): %v", repo, tree, build, err)
	}
	reg.push(t, repo+":latest", img)
	// A stand-in's directory image may be listed under the same name (with
	// no digest); only a pulled copy has one.
	for _, row := range listImages(t) {
		if row.repo == "registry.k8s.io/"+repo && row.tag == "latest" && strings.HasPrefix(row.digest, "sha256:") {
			return reg, o
		}
	}
	rmiAtEnd(t, "registry.k8s.io/"+repo+":latest")
	return reg, o
}

func k8sRegistry(t *testing.T) (*testRegistry, runOpts) {
	t.Helper()
	reg := newRegistry(t)
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "minipod test CA for registry.k8s.io"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "registry.k8s.io"}, DNSNames: []string{"registry.k8s.io"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}

	// The registry as registry.k8s.io: HTTP over the tunnels' TLS.
	tunnels := &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
	inner := &http.Server{Handler: http.HandlerFunc(reg.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = inner.Serve(tunnels) }()
	t.Cleanup(func() { _ = inner.Close() })

	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodConnect || req.Host != "registry.k8s.io:443" {
			http.Error(w, "this proxy only tunnels to registry.k8s.io:443", http.StatusForbidden)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
			conn.Close()
			return
		}
		select {
		case tunnels.conns <- tls.Server(conn, tlsConf):
		case <-tunnels.done:
			conn.Close()
		}
	}))
	t.Cleanup(proxy.Close)
	return reg, runOpts{env: []string{"HTTPS_PROXY=" + proxy.URL, "https_proxy=" + proxy.URL, "NO_PROXY=", "no_proxy=", "SSL_CERT_FILE=" + caFile}}
}

// connListener hands the proxy's tunnels to an http.Server.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// TestK8sDocsHostPathCorpus: every file under testdata/k8s-docs/concepts
// is listed in SOURCES.md's table of inline examples (page, commit, lines)
// and still has the git blob id given there, i.e. is byte for byte the
// block of those lines of the page at that commit.
func TestK8sDocsHostPathCorpus(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(docsDir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(concepts/[^`]+)` \\| `(content/[^`]+\\.md)` \\| `([0-9a-f]{40})` \\| `(\\d+)-(\\d+)` \\| `([0-9a-f]{40})` \\|")
	listed := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		listed[m[1]] = m[6]
	}
	for _, f := range []string{docHostPathLinux, docHostPathWindows, docHostPathFileOrCreate} {
		if _, ok := listed[f]; !ok {
			t.Errorf("%s is not listed in SOURCES.md's inline examples", f)
		}
	}
	err = filepath.WalkDir(filepath.Join(docsDir, "concepts"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(docsDir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch blob, ok := listed[filepath.ToSlash(rel)]; {
		case !ok:
			t.Errorf("%s is not listed in SOURCES.md", rel)
		case gitBlobID(data) != blob:
			t.Errorf("%s is no longer the page's block: git blob %s, SOURCES.md says %s", rel, gitBlobID(data), blob)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
