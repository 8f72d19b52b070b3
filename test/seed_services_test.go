package test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netns"
)

// The seed's mc3 flow end to end, with the seed's own names: the ConfigMap
// mc3-nginx-conf and the pod mc3 (testdata/seed-mc3.yaml, the seed's two
// YAML blocks unchanged), `expose pod mc3 --type=NodePort --port=80`, the
// node port read from `describe service mc3`, the page fetched from
// outside the pod.
const (
	seedMC3Pod     = "mc3"
	seedMC3Config  = "mc3-nginx-conf"
	seedMC3Service = "mc3"
	seedMC3File    = "seed-mc3.yaml"
)

// TestSeedMC3Service: the seed's "Inter-container network communication"
// section as a user types it. The pod's nginx (port 80) proxies to webapp
// on the pod's 127.0.0.1:5000; the NodePort Service makes port 80 reachable
// at the node's address and at 127.0.0.1, and from another machine of the
// node's LAN; webapp's 5000 is reachable from none of them (the Service
// exposes port 80 only, and webapp listens on the pod's loopback).
func TestSeedMC3Service(t *testing.T) {
	root(t)
	upSeedMC3(t)

	// Step 3: expose the pod.
	r := mp(t, "expose", "pod", seedMC3Pod, "--type=NodePort", "--port=80")
	if r.code != 0 {
		t.Fatalf("expose: %s", r)
	}
	if got := strings.TrimSpace(r.stdout); got != "service/"+seedMC3Service+" exposed" {
		t.Errorf("expose printed %q, want service/%s exposed", got, seedMC3Service)
	}

	// Step 4: the node port, as the seed reads it.
	desc := mustMP(t, "describe", "service", seedMC3Service)
	m := regexp.MustCompile(`(?m)^NodePort:\s+<unset>\s+(\d+)/TCP$`).FindStringSubmatch(desc)
	if m == nil {
		t.Fatalf("describe service %s has no `NodePort:  <unset>  PORT/TCP` line:\n%s", seedMC3Service, desc)
	}
	nodePort := m[1]
	if n, _ := strconv.Atoi(nodePort); n < 30000 || n > 32767 {
		t.Errorf("node port %s is outside 30000-32767", nodePort)
	}
	for _, line := range []string{`Selector:\s+app=mc3`, `Type:\s+NodePort`, `Port:\s+<unset>\s+80/TCP`, `TargetPort:\s+80/TCP`} {
		if !regexp.MustCompile(`(?m)^` + line + `$`).MatchString(desc) {
			t.Errorf("describe service %s has no line %s:\n%s", seedMC3Service, line, desc)
		}
	}
	podIP := podIPOf(t, seedMC3Pod)
	// Other tests run the seed's pod under names of their own, labelled
	// with those names (testdata/mc3.yaml), so that the Service selects
	// ours alone. (Three curls in a row that timed out here, in full runs,
	// were another pod leaving with the bridge's address:
	// TestNetworkBridgeAddressStays.) Ours must be an endpoint.
	waitFor(t, 60*time.Second, "mc3's "+podIP+":80 among the Service's endpoints", func() bool {
		for _, e := range svcEndpoints(t, seedMC3Service) {
			if e == podIP+":80" {
				return true
			}
		}
		return false
	})
	s := getSvc(t, seedMC3Service)
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != 80 || s.Spec.Ports[0].TargetPort.IntValue() != 80 || strconv.Itoa(int(s.Spec.Ports[0].NodePort)) != nodePort {
		t.Errorf("the Service's ports %+v, want only 80 → 80 at node port %s", s.Spec.Ports, nodePort)
	}
	if s.Spec.Selector["app"] != "mc3" || len(s.Spec.Selector) != 1 {
		t.Errorf("selector %v, want the pod's labels app=mc3", s.Spec.Selector)
	}

	// From outside the pod: the node's address and its loopback.
	node := nodeIPv4(t)
	const want = "Hello world!" // the webapp's page, as TestSeedMC3 checks it
	waitHTTP(t, "http://"+net.JoinHostPort(node, nodePort)+"/", want, 60*time.Second)
	waitHTTP(t, "http://127.0.0.1:"+nodePort+"/", want, 10*time.Second)
	// And with curl, as a user would, where the node has it; three
	// tries, as a user would try again.
	if curl, err := exec.LookPath("curl"); err == nil {
		for _, host := range []string{node, "127.0.0.1"} {
			url := "http://" + net.JoinHostPort(host, nodePort) + "/"
			var out []byte
			for try := 1; try <= 3; try++ {
				if out, err = exec.Command(curl, "-sS", "-m", "5", "--noproxy", "*", url).CombinedOutput(); err == nil && strings.TrimSpace(string(out)) == want {
					break
				}
				t.Logf("curl %s, try %d: %q, %v", url, try, out, err)
			}
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Errorf("curl %s: %q, %v", url, out, err)
				logServiceRules(t, seedMC3Service)
			}
		}
	}
	// From another machine of the node's LAN.
	lan := newLAN(t)
	var got string
	var err error
	waitFor(t, 30*time.Second, "the LAN machine to get the page at "+node+":"+nodePort, func() bool {
		got, err = httpGetIn(lan.ns, net.JoinHostPort(node, nodePort), 3*time.Second)
		return err == nil && got == want
	})

	// webapp's 5000 is not reachable from outside the pod: not through
	// the node (no Service port, no NodePort leads to it), not at the pod
	// address from the LAN (the node forwards only DNATed traffic to pods)
	// nor from the node itself (webapp listens on the pod's 127.0.0.1).
	for _, addr := range []string{net.JoinHostPort(node, "5000"), "127.0.0.1:5000", net.JoinHostPort(podIP, "5000")} {
		if c, err := dialIn(netns.None(), addr, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("the node connected to %s: webapp's port 5000 must not be reachable from outside the pod", addr)
		}
	}
	for _, addr := range []string{net.JoinHostPort(node, "5000"), net.JoinHostPort(podIP, "5000"), net.JoinHostPort(podIP, "80")} {
		if c, err := dialIn(lan.ns, addr, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("the LAN machine connected to %s: only the NodePort leads into the pod", addr)
		}
	}
	// The node's rules know the Service at port 80 and its node port
	// only. (Whether a connection to ClusterIP:5000 fails depends on what
	// lies beyond the node's default route, which some networks answer
	// for any address: it is not dialled.)
	for _, l := range svcRuleLines(nftTable(t), seedMC3Service, s.Spec.ClusterIP, 0) {
		if strings.Contains(l, " . 5000") || strings.Contains(l, ":5000") || strings.Contains(l, "/5000") {
			t.Errorf("a rule of Service %s leads to port 5000: %s", seedMC3Service, l)
		}
	}
	if got := execOut(t, seedMC3Pod, "webapp", "wget", "-qO-", "http://127.0.0.1:5000/"); strings.TrimSpace(got) != want {
		t.Errorf("webapp inside the pod answered %q", got)
	}
}

// upSeedMC3 creates the seed's ConfigMap and pod from the fixture
// unchanged. The names are the seed's, so the test holds them (and clears
// what a crashed run left); at the end it deletes the pod (grace period 1:
// webapp's httpd, PID 1, ignores SIGTERM), the ConfigMap and the Service,
// and checks that nothing named after them is left.
func upSeedMC3(t *testing.T) {
	t.Helper()
	checkSeedFixture(t)
	suitePods.Store(seedMC3Pod, true)
	lockDocName(t, seedMC3Pod)
	clearLeftover(t, seedMC3Pod)
	mp(t, "delete", "svc", seedMC3Service, "--ignore-not-found")
	b, err := os.ReadFile(filepath.Join("testdata", seedMC3File))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), seedMC3File)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := testutil.Snapshot(t, exe)
	t.Cleanup(func() {
		procs := podProcs(seedMC3Pod)
		uid := ""
		if st, err := readState(seedMC3Pod); err == nil {
			uid = st.UID
		}
		if r := mp(t, "down", "--ignore-not-found", "--grace-period", "1", "-f", path); r.code != 0 {
			t.Errorf("down -f %s: %s", seedMC3File, r)
		}
		if r := mp(t, "delete", "svc", seedMC3Service, "--ignore-not-found"); r.code != 0 {
			t.Errorf("delete svc %s: %s", seedMC3Service, r)
		}
		checkSeedGone(t, before, procs)
		checkCgroupsGone(t, seedMC3Pod, uid)
	})
	r := mp(t, "up", "-d", path)
	if r.code != 0 {
		t.Fatalf("up -d %s: %s", seedMC3File, r)
	}
	for _, w := range []string{"configmap/" + seedMC3Config + " created", "pod/" + seedMC3Pod + " created"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("up printed %q, want %q", r.stdout, w)
		}
	}
}

// checkSeedFixture: the fixture is the seed's YAML, the same as the
// templated mc3.yaml the other mc3 tests use, less their template and
// grace period.
func checkSeedFixture(t *testing.T) {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("testdata", seedMC3File))
	if err != nil {
		t.Fatal(err)
	}
	tmplText, err := os.ReadFile(filepath.Join("testdata", "mc3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(tmplText), "\n") {
		if strings.HasPrefix(l, "#") || strings.Contains(l, "terminationGracePeriodSeconds") {
			continue
		}
		want = append(want, strings.ReplaceAll(l, "{{NAME}}", seedMC3Pod))
	}
	var got []string
	for _, l := range strings.Split(string(seed), "\n") {
		if !strings.HasPrefix(l, "#") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("testdata/%s is not the seed's mc3 (testdata/mc3.yaml with the name mc3, no grace period):\n%s", seedMC3File, strings.Join(got, "\n"))
	}
	for _, w := range []string{"name: mc3-nginx-conf", "  name: mc3\n  labels:\n    app: mc3\n", "image: training/webapp", "image: nginx:alpine"} {
		if !strings.Contains(string(seed), w) {
			t.Errorf("testdata/%s lacks %q", seedMC3File, w)
		}
	}
	if strings.Contains(strings.Join(got, "\n"), "hostPort") {
		t.Errorf("testdata/%s has a hostPort; the seed's mc3 has none", seedMC3File)
	}
}

// checkSeedGone is checkGone for the seed's fixed names: a difference of
// the host counts when a token of it is one of the seed's names exactly
// (other tests' pods are mc3-<hex>, which checkGone's prefix rule would
// count as the seed pod's).
func checkSeedGone(t *testing.T, before testutil.HostSnapshot, procs []procID) {
	t.Helper()
	seedNames := map[string]bool{seedMC3Pod: true, seedMC3Config: true} // the Service is named after the pod
	var leaks []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		leaks = leaks[:0]
		for _, d := range before.Diff(testutil.Snapshot(t, exe)) {
			for _, tok := range nonName.Split(d, -1) {
				if seedNames[strings.TrimSuffix(tok, ".json")] {
					leaks = append(leaks, d)
					break
				}
			}
		}
		for _, p := range procs {
			if p.alive() {
				leaks = append(leaks, "process still alive: "+p.String())
			}
		}
		if len(leaks) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, l := range leaks {
		t.Errorf("the seed's mc3 left behind %s", l)
	}
	for _, p := range []string{"/run/minipod/" + seedMC3Pod, "/var/lib/minipod/pods/" + seedMC3Pod,
		"/var/lib/minipod/objects/configmaps/default/" + seedMC3Config + ".json", "/var/lib/minipod/objects/services/default/" + seedMC3Service + ".json"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("the seed's mc3 left behind %s", p)
		}
	}
	if m, _ := filepath.Glob("/var/log/pods/*_" + seedMC3Pod + "_*"); len(m) > 0 {
		t.Errorf("the seed's mc3 left behind its log dir %v", m)
	}
}

// logServiceRules logs where the node sends the Service's traffic now:
// its endpoints and, where nft is installed, its rules. For a failure
// that only shows in a run of many tests.
func logServiceRules(t *testing.T, svc string) {
	t.Helper()
	t.Logf("endpoints of %s: %v", svc, svcEndpoints(t, svc))
	if _, err := exec.LookPath("nft"); err == nil {
		s := getSvc(t, svc)
		t.Logf("rules of %s:\n%s", svc, strings.Join(svcRuleLines(nftTable(t), svc, s.Spec.ClusterIP, 0), "\n"))
	}
}
