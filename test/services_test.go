package test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/state"
	corev1 "k8s.io/api/core/v1"
)

// Services (issue 11): Services kept on the node, their virtual IPs and
// NodePorts in table ip minipod, their names in every pod's /etc/hosts.
// Every object is named after a pod of the test (podName), so that tests
// running in parallel never share one and the leak check finds what a
// test left; Services are deleted before the pods' leak checks (their
// cleanups are registered after the pods').

// svcWebPod serves "hello from NAME" with busybox httpd on port 80 (named
// http), labelled app: {{APP}}; {{POD}} may add fields to the pod spec,
// {{CTR}} to the container, {{PREP}} to the shell command before httpd
// starts.
const svcWebPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels:
    app: {{APP}}
spec:
  terminationGracePeriodSeconds: 1
{{POD}}  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from {{NAME}} > /www/index.html{{PREP}} && exec httpd -f -p 80 -h /www"]
    ports:
    - containerPort: 80
      name: http
{{CTR}}`

// webBackend is svcWebPod with nothing more.
func webBackend(name, app string) string {
	return tmpl(svcWebPod, name, "APP", app, "POD", "", "CTR", "", "PREP", "")
}

// svcClusterIP is a ClusterIP Service selecting app: {{APP}}, port 80 to
// the pods' port named http; {{SPEC}} may add fields to its spec.
const svcClusterIP = `apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  selector:
    app: {{APP}}
{{SPEC}}  ports:
  - port: 80
    targetPort: http
`

// applySvc runs `up -d` on a file of Services (and other objects) and
// requires success; the file's objects are deleted when the test ends,
// before the leak checks of the pods made earlier.
func applySvc(t *testing.T, name, text string) string {
	t.Helper()
	r, path := tryApplySvc(t, name, text)
	if r.code != 0 {
		t.Fatalf("up of the Service file failed: %s", r)
	}
	return path
}

// tryApplySvc is applySvc that returns what up did, whatever it is.
func tryApplySvc(t *testing.T, name, text string) (result, string) {
	t.Helper()
	path := writeManifest(t, name+"-svcfile", text)
	var up result
	t.Cleanup(func() {
		r := mp(t, "down", "--ignore-not-found", "-f", path)
		switch {
		case r.code == 0:
		case up.code != 0:
			// A refused file may not even parse; the leak check of the
			// test's pods finds anything of it that was kept.
		default:
			t.Errorf("deleting the Service file's objects: %s", r)
		}
	})
	up = mp(t, "up", "-d", path)
	return up, path
}

// getSvc is `get svc NAME -o json` decoded as a v1 Service.
func getSvc(t testing.TB, name string) *corev1.Service {
	t.Helper()
	out := mustMP(t, "get", "svc", name, "-o", "json")
	var s corev1.Service
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("get svc -o json is not a v1 Service: %v\n%s", err, out)
	}
	return &s
}

// svcEndpoints is the value of the Endpoints: line of `describe svc NAME`,
// the addresses sorted.
func svcEndpoints(t testing.TB, name string) []string {
	t.Helper()
	out := mustMP(t, "describe", "svc", name)
	m := regexp.MustCompile(`(?m)^Endpoints:[ \t]*(.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("describe svc %s has no Endpoints: line:\n%s", name, out)
	}
	var eps []string
	for _, e := range strings.Split(strings.TrimSpace(m[1]), ",") {
		if e = strings.TrimSpace(e); e != "" {
			eps = append(eps, e)
		}
	}
	sort.Strings(eps)
	return eps
}

// waitEndpoints waits until describe svc lists exactly want (any order).
func waitEndpoints(t testing.TB, svc string, want ...string) {
	t.Helper()
	sort.Strings(want)
	var got []string
	deadline := time.Now().Add(60 * time.Second)
	for {
		got = svcEndpoints(t, svc)
		if strings.Join(got, ",") == strings.Join(want, ",") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("describe svc %s: Endpoints %q, want %q within 60s", svc, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// fetchIn runs `timeout 5 wget -qO- url` in the pod's first container.
func fetchIn(t testing.TB, pod, url string) result {
	t.Helper()
	return mp(t, "exec", pod, "--", "timeout", "5", "wget", "-qO-", url)
}

// waitFetchIn waits until a GET of url from pod answers want (trimmed).
func waitFetchIn(t testing.TB, pod, url, want string) {
	t.Helper()
	var r result
	deadline := time.Now().Add(60 * time.Second)
	for {
		r = fetchIn(t, pod, url)
		if r.code == 0 && strings.TrimSpace(r.stdout) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s from %s: want %q within 60s; last: %s", url, pod, want, r)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// fetchMany does n GETs of url from pod in one exec and returns the bodies
// (one line each; a failed request is "FAIL").
func fetchMany(t testing.TB, pod, url string, n int) []string {
	t.Helper()
	script := `i=0; while [ $i -lt ` + strconv.Itoa(n) + ` ]; do timeout 5 wget -qO- "$1" || echo FAIL; i=$((i+1)); done`
	return lines(execOut(t, pod, "", "sh", "-c", script, "sh", url))
}

// counts tallies lines.
func counts(ls []string) map[string]int {
	m := map[string]int{}
	for _, l := range ls {
		m[strings.TrimSpace(l)]++
	}
	return m
}

// nftTable is `nft list table ip minipod`, "" when there is no table.
func nftTable(t testing.TB) string {
	t.Helper()
	nft, err := exec.LookPath("nft")
	if err != nil {
		t.Skip("no nft binary to read the rules with")
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(nft, "list", "table", "ip", natTable)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if strings.Contains(errb.String(), "No such file or directory") {
			return ""
		}
		t.Fatalf("nft list table ip %s: %v: %s", natTable, err, errb.String())
	}
	return out.String()
}

// svcRuleLines are the lines of the table that belong to Service svc of
// namespace default: its chains (named .../default/SVC/...), its map
// elements and rules (commented minipod:service=default/SVC:...), and any
// element keyed by its cluster IP or (with nodePort != 0) its node port.
func svcRuleLines(table, svc, clusterIP string, nodePort int32) []string {
	var out []string
	for _, l := range strings.Split(table, "\n") {
		switch {
		case strings.Contains(l, "-default/"+svc+"/"), strings.Contains(l, "service=default/"+svc+":"):
		case clusterIP != "" && strings.Contains(l, clusterIP+" . "):
		case nodePort != 0 && regexp.MustCompile(`\b(tcp|udp) \. `+strconv.Itoa(int(nodePort))+`\b`).MatchString(l):
		default:
			continue
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// waitSvcRules waits until Service svc's rule lines (svcRuleLines) satisfy
// ok: describe's endpoints come from the pods' records at once, the rules
// follow them in the monitor's asynchronous sync. It fails the test with
// the last lines after 10s.
func waitSvcRules(t testing.TB, svc, clusterIP string, nodePort int32, what string, ok func([]string) bool) {
	t.Helper()
	var ls []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		ls = svcRuleLines(nftTable(t), svc, clusterIP, nodePort)
		if ok(ls) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rules of %s do not %s within 10s:\n%s", svc, what, strings.Join(ls, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hostsLines are the lines of /etc/hosts in pod (first container) that
// name host.
func hostsLines(t testing.TB, pod, host string) []string {
	t.Helper()
	var out []string
	for _, l := range lines(execOut(t, pod, "", "cat", "/etc/hosts")) {
		f := strings.Fields(l)
		for _, n := range f[1:] {
			if n == host {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// waitHostsLine waits until the /etc/hosts of pod has one line for host,
// with ip. Names follow a Service as Kubernetes' cluster DNS does: soon
// after it changes, not at the instant `up` returns (a sync of another
// pod's may be rewriting the file). A first read that lacked the line is
// logged: a wait that is needed at all says something about the syncs.
func waitHostsLine(t testing.TB, pod, host, ip string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for tries := 1; ; tries++ {
		ls := hostsLines(t, pod, host)
		if len(ls) == 1 && strings.Fields(ls[0])[0] == ip {
			if tries > 1 {
				t.Logf("/etc/hosts of %s named %s only at read %d", pod, host, tries)
			}
			return
		}
		if tries == 1 || time.Now().After(deadline) {
			t.Logf("/etc/hosts of %s, read %d:\n%s", pod, tries, execOut(t, pod, "", "cat", "/etc/hosts"))
		}
		if time.Now().After(deadline) {
			t.Fatalf("/etc/hosts of %s for %s: %q, want one line with %s", pod, host, ls, ip)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServiceClusterIP: a client pod reaches a backend through the
// Service's ClusterIP and by each of its names (NAME, NAME.default,
// NAME.default.svc, NAME.default.svc.cluster.local) from /etc/hosts; get
// svc prints kubectl's row.
func TestServiceClusterIP(t *testing.T) {
	root(t)
	web, cli := podName("sip-web"), podName("sip-cli")
	svc := web + "-svc"
	upPod(t, web, webBackend(web, web))
	upPod(t, cli, tmpl(idlePod, cli, "PORTS", ""))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", web, "SPEC", ""))

	s := getSvc(t, svc)
	ip := net.ParseIP(s.Spec.ClusterIP)
	_, cidr, _ := net.ParseCIDR("10.96.0.0/16")
	if ip == nil || !cidr.Contains(ip) {
		t.Fatalf("clusterIP %q, want an address of 10.96.0.0/16", s.Spec.ClusterIP)
	}
	if s.Spec.Type != corev1.ServiceTypeClusterIP || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].NodePort != 0 {
		t.Errorf("spec %+v, want type ClusterIP, one port, no nodePort", s.Spec)
	}
	table := mustMP(t, "get", "svc", svc)
	if f := strings.Fields(lines(table)[0]); strings.Join(f, " ") != "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE" {
		t.Errorf("get svc header %q", lines(table)[0])
	}
	row := []string{}
	for _, l := range lines(table)[1:] {
		if f := strings.Fields(l); len(f) > 0 && f[0] == svc {
			row = f
		}
	}
	if len(row) != 6 || row[1] != "ClusterIP" || row[2] != s.Spec.ClusterIP || row[3] != "<none>" || row[4] != "80/TCP" {
		t.Errorf("get svc row %q, want %s ClusterIP %s <none> 80/TCP AGE", row, svc, s.Spec.ClusterIP)
	}
	webIP := podIPOf(t, web)
	waitEndpoints(t, svc, webIP+":80")

	want := "hello from " + web
	waitFetchIn(t, cli, "http://"+s.Spec.ClusterIP+"/", want)
	for _, host := range []string{svc, svc + ".default", svc + ".default.svc", svc + ".default.svc.cluster.local"} {
		waitHostsLine(t, cli, host, s.Spec.ClusterIP)
		waitFetchIn(t, cli, "http://"+host+"/", want)
	}
	// The node reaches the ClusterIP too (kube-proxy's output chain).
	waitHTTP(t, "http://"+s.Spec.ClusterIP+"/", want, 10*time.Second)
}

// TestServiceEnvironment: a container started after a Service gets its
// variables, as the kubelet gives them (enableServiceLinks), and reaches
// the Service through them; one started before (the backend), one of a
// pod that turned them off, and a container with a variable of that name
// keep what they had.
func TestServiceEnvironment(t *testing.T) {
	root(t)
	web, cli, off := podName("senv-web"), podName("senv-cli"), podName("senv-off")
	svc := web + "-svc"
	upPod(t, web, webBackend(web, web))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", web, "SPEC", ""))
	ip := getSvc(t, svc).Spec.ClusterIP
	prefix := strings.ToUpper(strings.ReplaceAll(svc, "-", "_"))
	upPod(t, cli, tmpl(idlePod, cli, "PORTS", "\n    env:\n    - {name: "+prefix+"_SERVICE_PORT, value: mine}"))
	upPod(t, off, tmpl(idlePod, off, "PORTS", "")+"  enableServiceLinks: false\n")

	env := mustMP(t, "exec", cli, "--", "env")
	for _, kv := range []string{prefix + "_SERVICE_HOST=" + ip, prefix + "_SERVICE_PORT=mine",
		prefix + "_PORT=tcp://" + ip + ":80", prefix + "_PORT_80_TCP_ADDR=" + ip, prefix + "_PORT_80_TCP_PORT=80"} {
		if !slices.Contains(lines(env), kv) {
			t.Errorf("env of %s lacks %s:\n%s", cli, kv, env)
		}
	}
	script := "timeout 5 wget -qO- http://$" + prefix + "_SERVICE_HOST:$" + prefix + "_PORT_80_TCP_PORT/"
	if r := mp(t, "exec", cli, "--", "sh", "-c", script); r.code != 0 || strings.TrimSpace(r.stdout) != "hello from "+web {
		t.Errorf("GET through the Service's variables: %s", r)
	}
	for _, pod := range []string{web, off} {
		if env := mustMP(t, "exec", pod, "--", "env"); strings.Contains(env, prefix+"_") {
			t.Errorf("%s has the Service's variables:\n%s", pod, env)
		}
	}
}

// waitFetchAny waits until a GET of url from pod succeeds and returns the
// body, trimmed.
func waitFetchAny(t testing.TB, pod, url string) string {
	t.Helper()
	var r result
	deadline := time.Now().Add(60 * time.Second)
	for {
		r = fetchIn(t, pod, url)
		if r.code == 0 && strings.TrimSpace(r.stdout) != "" {
			return strings.TrimSpace(r.stdout)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s from %s: no answer within 60s; last: %s", url, pod, r)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestServiceBalances: two backends behind one Service; 40 requests from
// a client pod reach both (random choice: all 40 on one backend has odds
// of 2^-39).
func TestServiceBalances(t *testing.T) {
	root(t)
	a, b, cli, svc := twoBackends(t, "sbal", "")
	waitEndpoints(t, svc, podIPOf(t, a)+":80", podIPOf(t, b)+":80")

	url := "http://" + svc + "/"
	waitFetchAny(t, cli, url)
	got := counts(fetchMany(t, cli, url, 40))
	t.Logf("40 requests to %s: %v", url, got)
	if got["hello from "+a] == 0 || got["hello from "+b] == 0 || got["hello from "+a]+got["hello from "+b] != 40 {
		t.Errorf("40 requests to %s answered %v, want both backends and nothing else", url, got)
	}
}

// readinessCtr is a readiness probe on GET /ready, every second.
const readinessCtr = `    readinessProbe:
      httpGet:
        path: /ready
        port: 80
      periodSeconds: 1
      failureThreshold: 1
`

// TestServiceReadiness: a backend whose readiness probe fails leaves the
// Service's endpoints (describe's Endpoints line is empty, the ClusterIP
// refuses connections at once instead of letting them time out), and comes
// back once the probe passes again.
func TestServiceReadiness(t *testing.T) {
	root(t)
	web, cli := podName("sready-web"), podName("sready-cli")
	svc := web + "-svc"
	upPod(t, web, tmpl(svcWebPod, web, "APP", web, "POD", "", "CTR", readinessCtr, "PREP", " && echo ok > /www/ready"))
	upPod(t, cli, tmpl(idlePod, cli, "PORTS", ""))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", web, "SPEC", ""))
	ip := getSvc(t, svc).Spec.ClusterIP
	webIP := podIPOf(t, web)
	waitEndpoints(t, svc, webIP+":80")
	url := "http://" + ip + "/"
	want := "hello from " + web
	waitFetchIn(t, cli, url, want)

	execOut(t, web, "web", "rm", "/www/ready")
	waitFor(t, 60*time.Second, "pod "+web+" READY 0/1", func() bool { return getRow(t, web)["READY"] == "0/1" })
	waitEndpoints(t, svc)
	waitSvcRules(t, svc, ip, 0, "send its address to services-reject once it has no endpoints", func(ls []string) bool {
		return anyContains(ls, ip+" . tcp . 80") && anyContains(ls, "goto services-reject") && !anyContains(ls, "dnat to")
	})
	var r result
	waitFor(t, 30*time.Second, "a request to "+url+" to be refused", func() bool {
		start := time.Now()
		r = fetchIn(t, cli, url)
		t.Logf("request without endpoints: exit %d after %v: %s", r.code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.stderr))
		return r.code != 0 && strings.Contains(r.stderr, "Connection refused")
	})
	if r.code == 124 {
		t.Errorf("the request timed out instead of being refused: %s", r)
	}

	execOut(t, web, "web", "touch", "/www/ready")
	waitEndpoints(t, svc, webIP+":80")
	waitFetchIn(t, cli, url, want)
	waitFetchIn(t, cli, "http://"+svc+"/", want)
}

func anyContains(ls []string, s string) bool {
	for _, l := range ls {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// svcUDPEchoPod answers every UDP datagram on port 5353 with "echo:" and the
// datagram (perl of the debian image: busybox's nc has no UDP).
const svcUDPEchoPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels:
    app: {{APP}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: echo
    image: debian
    command:
    - perl
    - -MIO::Socket::INET
    - -e
    - |
      $| = 1;
      my $s = IO::Socket::INET->new(LocalPort => 5353, Proto => "udp") or die "socket: $!";
      print "listening\n";
      while (defined $s->recv(my $m, 2048)) { $s->send("echo:" . $m) }
    ports:
    - containerPort: 5353
      protocol: UDP
      name: echo
`

// udpClient sends ARGV[2] to ARGV[0]:ARGV[1] and prints the answer, or
// exits 1 after 3 seconds without one.
const udpClient = `my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Proto => "udp") or die "socket: $!";
$s->send($ARGV[2]) or die "send: $!";
my $r = "";
eval { local $SIG{ALRM} = sub { die "timeout\n" }; alarm 3; $s->recv($r, 2048); alarm 0 };
print $r, "\n";
exit($r eq "" ? 1 : 0);`

// TestServiceUDP: a UDP echo server behind a Service port with protocol
// UDP (port 53 to the pods' port 5353) answers a client pod through the
// ClusterIP and the name, and the node through the ClusterIP.
func TestServiceUDP(t *testing.T) {
	root(t)
	echo, cli := podName("sudp-echo"), podName("sudp-cli")
	svc := echo + "-svc"
	upPod(t, echo, tmpl(svcUDPEchoPod, echo, "APP", echo))
	upPod(t, cli, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: debian
    command: ["sh", "-c", "`+idle+`"]
`, cli))
	applySvc(t, svc, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  selector:
    app: {{APP}}
  ports:
  - name: echo
    protocol: UDP
    port: 53
    targetPort: echo
`, svc, "APP", echo))
	s := getSvc(t, svc)
	if p := s.Spec.Ports; len(p) != 1 || p[0].Protocol != corev1.ProtocolUDP || p[0].Port != 53 {
		t.Fatalf("ports %+v, want 53/UDP", p)
	}
	waitEndpoints(t, svc, podIPOf(t, echo)+":5353")
	if !strings.Contains(mustMP(t, "get", "svc", svc), "53/UDP") {
		t.Errorf("get svc shows no 53/UDP:\n%s", mustMP(t, "get", "svc", svc))
	}

	for _, host := range []string{s.Spec.ClusterIP, svc} {
		msg := "ping-" + podName("m")
		var r result
		waitFor(t, 60*time.Second, "a UDP echo from "+host+":53 in "+cli, func() bool {
			r = mp(t, "exec", cli, "--", "perl", "-MIO::Socket::INET", "-e", udpClient, host, "53", msg)
			return r.code == 0
		})
		if got := strings.TrimSpace(r.stdout); got != "echo:"+msg {
			t.Errorf("UDP echo through %s answered %q, want %q", host, got, "echo:"+msg)
		}
	}

	// UDP may lose a datagram (a CI run once had the node's first one go
	// unanswered): a client tries again, so does this check, a few times.
	var got string
	for try := 1; try <= 4 && got != "echo:from-node"; try++ {
		var err error
		got, err = udpEcho(net.JoinHostPort(s.Spec.ClusterIP, "53"), "from-node")
		if got != "echo:from-node" {
			t.Logf("the node's datagram %d to %s:53 got %q (%v)", try, s.Spec.ClusterIP, got, err)
		}
	}
	if got != "echo:from-node" {
		t.Errorf("4 datagrams of the node to %s:53 got no echo:from-node", s.Spec.ClusterIP)
	}
}

// udpEcho sends msg to addr from the node and returns the answer, waiting
// 3 s for it.
func udpEcho(addr, msg string) (string, error) {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

// TestServiceHairpin: a pod reaches itself through its own Service, by
// ClusterIP and by name (the hairpin masquerade brings the answer back).
func TestServiceHairpin(t *testing.T) {
	root(t)
	web := podName("shair")
	svc := web + "-svc"
	upPod(t, web, webBackend(web, web))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", web, "SPEC", ""))
	waitEndpoints(t, svc, podIPOf(t, web)+":80")
	want := "hello from " + web
	waitFetchIn(t, web, "http://"+getSvc(t, svc).Spec.ClusterIP+"/", want)
	waitFetchIn(t, web, "http://"+svc+"/", want)
	waitFetchIn(t, web, "http://"+svc+".default.svc.cluster.local/", want)
}

// TestServiceNodePortConflicts: the API server's refusals, with its
// field paths and words: a nodePort another Service holds, a nodePort out
// of 30000-32767, a clusterIP outside 10.96.0.0/16 or held by another
// Service; `expose --node-port` of a held port too. Nothing of a refused
// file is kept: not its ConfigMap, not its other Services, not its pod.
func TestServiceNodePortConflicts(t *testing.T) {
	root(t)
	web := podName("snpc")
	upPod(t, web, webBackend(web, web))
	holder := web + "-a"
	applySvc(t, holder, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  type: NodePort
  selector:
    app: {{APP}}
  ports:
  - port: 80
`, holder, "APP", web))
	h := getSvc(t, holder)
	np := h.Spec.Ports[0].NodePort
	if np < 30000 || np > 32767 {
		t.Fatalf("allocated nodePort %d, want one of 30000-32767", np)
	}

	refuse := func(what, name, spec string, want ...string) {
		t.Helper()
		r, _ := tryApplySvc(t, name, `apiVersion: v1
kind: Service
metadata:
  name: `+name+`
spec:
  selector:
    app: `+web+`
`+spec)
		if r.code == 0 {
			t.Errorf("%s: accepted: %s", what, r)
			return
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: error does not say %q: %s", what, w, r.stderr)
			}
		}
		if g := mp(t, "get", "svc", name); g.code == 0 {
			t.Errorf("%s: the refused Service is kept:\n%s", what, g.stdout)
		}
	}
	npStr := strconv.Itoa(int(np))
	refuse("the same nodePort", web+"-b", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: "+npStr+"\n",
		"spec.ports[0].nodePort", "Invalid value: "+npStr, "provided port is already allocated")
	refuse("nodePort 29999", web+"-c", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 29999\n",
		"spec.ports[0].nodePort", "provided port is not in the valid range", "30000-32767")
	refuse("nodePort 32768", web+"-d", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 32768\n",
		"spec.ports[0].nodePort", "provided port is not in the valid range")
	refuse("clusterIP 10.97.0.10", web+"-e", "  clusterIP: 10.97.0.10\n  ports:\n  - port: 80\n",
		"spec.clusterIPs[0]", "10.97.0.10", "not in the valid range")
	refuse("clusterIP 192.168.0.10", web+"-f", "  clusterIP: 192.168.0.10\n  ports:\n  - port: 80\n",
		"spec.clusterIPs[0]", "not in the valid range")
	refuse("the holder's clusterIP", web+"-g", "  clusterIP: "+h.Spec.ClusterIP+"\n  ports:\n  - port: 80\n",
		"spec.clusterIPs[0]", "provided IP is already allocated")
	refuse("the second port on the same nodePort", web+"-h", "  type: NodePort\n  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 81\n    nodePort: "+npStr+"\n",
		"spec.ports[1].nodePort", "provided port is already allocated")

	r := mp(t, "expose", "pod", web, "--type=NodePort", "--port=80", "--name="+web+"-x", "--node-port="+npStr)
	if r.code == 0 || !strings.Contains(r.stderr, "provided port is already allocated") {
		t.Errorf("expose --node-port %d (held): %s", np, r)
	}
	if g := mp(t, "get", "svc", web+"-x"); g.code == 0 {
		t.Errorf("the refused exposed Service is kept:\n%s", g.stdout)
		mp(t, "delete", "svc", web+"-x")
	}
	if got := getSvc(t, holder); got.Spec.Ports[0].NodePort != np || got.Spec.ClusterIP != h.Spec.ClusterIP {
		t.Errorf("the holder changed: %+v", got.Spec)
	}

	// A whole file refused for its Service's nodePort: ConfigMap, a good
	// Service (sorted before the bad one) and a pod are all in it.
	pod := podName("snpc-file")
	text := tmpl(`apiVersion: v1
kind: ConfigMap
metadata:
  name: {{NAME}}-cm
data:
  k: v
---
apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}-a
spec:
  selector:
    app: {{NAME}}
  ports:
  - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}-z
spec:
  type: NodePort
  selector:
    app: {{NAME}}
  ports:
  - port: 80
    nodePort: {{NP}}
---
`, pod, "NP", npStr) + webBackend(pod, pod)
	fr := tryUp(t, pod, text)
	if fr.code == 0 {
		t.Fatalf("up of a file whose Service asks for a held nodePort succeeded: %s", fr)
	}
	if !strings.Contains(fr.stderr, "spec.ports[0].nodePort") || !strings.Contains(fr.stderr, "provided port is already allocated") {
		t.Errorf("up of the file: error does not name spec.ports[0].nodePort and the reason: %s", fr.stderr)
	}
	for _, obj := range [][2]string{{"configmap", pod + "-cm"}, {"svc", pod + "-a"}, {"svc", pod + "-z"}} {
		if g := mp(t, "get", obj[0], obj[1]); g.code == 0 {
			t.Errorf("the refused file's %s %s is kept on the node:\n%s", obj[0], obj[1], g.stdout)
		}
	}
	if g := mp(t, "get", pod); g.code == 0 {
		t.Errorf("the refused file's pod %s was created:\n%s", pod, g.stdout)
	}
}

// TestServiceSessionAffinity: with sessionAffinity ClientIP (the API
// server's default timeout, 10800 s) and two backends, 20 requests from
// one client all reach the same backend.
func TestServiceSessionAffinity(t *testing.T) {
	root(t)
	a, b, cli, svc := twoBackends(t, "saff", "  sessionAffinity: ClientIP\n")
	s := getSvc(t, svc)
	if s.Spec.SessionAffinity != corev1.ServiceAffinityClientIP || s.Spec.SessionAffinityConfig == nil ||
		s.Spec.SessionAffinityConfig.ClientIP == nil || s.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds == nil ||
		*s.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds != 10800 {
		t.Errorf("sessionAffinity %q config %+v, want ClientIP with timeoutSeconds 10800", s.Spec.SessionAffinity, s.Spec.SessionAffinityConfig)
	}
	if d := mustMP(t, "describe", "svc", svc); !regexp.MustCompile(`(?m)^Session Affinity:\s+ClientIP$`).MatchString(d) {
		t.Errorf("describe svc has no Session Affinity: ClientIP line:\n%s", d)
	}
	waitEndpoints(t, svc, podIPOf(t, a)+":80", podIPOf(t, b)+":80")

	url := "http://" + s.Spec.ClusterIP + "/"
	first := waitFetchAny(t, cli, url)
	got := counts(fetchMany(t, cli, url, 20))
	t.Logf("20 requests with ClientIP affinity: %v", got)
	if len(got) != 1 || got[first] != 20 {
		t.Errorf("20 requests from one client with ClientIP affinity answered %v, want all from the first answer's backend (%q)", got, first)
	}
}

// TestServiceKilledMonitor: a backend whose monitor was SIGKILLed (it can
// tell nobody it goes) and that is then deleted with `down` leaves the
// Service's endpoints, describe's and the node's rules'; the other
// backend keeps serving.
func TestServiceKilledMonitor(t *testing.T) {
	root(t)
	a, b, cli, svc := twoBackends(t, "skill", "")
	aIP, bIP := podIPOf(t, a), podIPOf(t, b)
	waitEndpoints(t, svc, aIP+":80", bIP+":80")
	waitSvcRules(t, svc, "", 0, "DNAT to "+aIP+":80 while it is an endpoint", func(ls []string) bool {
		return anyContains(ls, "dnat to "+aIP+":80")
	})

	st, err := readState(a)
	if err != nil || st.Monitor.PID <= 0 {
		t.Fatalf("state of %s: %v", a, err)
	}
	if err := syscall.Kill(st.Monitor.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the monitor of "+a+" to die", func() bool { return procStart(st.Monitor.PID) == "" })
	t.Logf("after the SIGKILL, before down: endpoints %q", svcEndpoints(t, svc))
	mustMP(t, "down", a)

	if got := svcEndpoints(t, svc); strings.Join(got, ",") != bIP+":80" {
		t.Errorf("describe svc after down of %s (killed monitor): Endpoints %q, want [%s:80]", a, got, bIP)
	}
	ls := svcRuleLines(nftTable(t), svc, "", 0)
	if anyContains(ls, aIP+"/80") || anyContains(ls, "dnat to "+aIP+":") {
		t.Errorf("rules of %s still lead to %s after its pod was deleted:\n%s", svc, aIP, strings.Join(ls, "\n"))
	}
	if !anyContains(ls, "dnat to "+bIP+":80") {
		t.Errorf("rules of %s lost %s:\n%s", svc, bIP, strings.Join(ls, "\n"))
	}
	got := counts(fetchMany(t, cli, "http://"+svc+"/", 10))
	if got["hello from "+b] != 10 {
		t.Errorf("10 requests after %s's deletion answered %v, want all from %s", a, got, b)
	}
}

// TestServiceNoRulesLeft: once a NodePort Service and its pod are deleted,
// table ip minipod holds nothing of it: no chain of its, no element of the
// maps for its ClusterIP or node port, no rule commented with its name.
// (Other tests' Services may be there: only this one's are looked for.)
func TestServiceNoRulesLeft(t *testing.T) {
	root(t)
	web := podName("sleft")
	svc := web + "-svc"
	upPod(t, web, webBackend(web, web))
	path := applySvc(t, svc, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  type: NodePort
  sessionAffinity: ClientIP
  selector:
    app: {{APP}}
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: udp
    port: 53
    protocol: UDP
`, svc, "APP", web))
	s := getSvc(t, svc)
	ip, np := s.Spec.ClusterIP, s.Spec.Ports[0].NodePort
	waitEndpoints(t, svc, podIPOf(t, web)+":80")
	waitHTTP(t, "http://127.0.0.1:"+strconv.Itoa(int(np))+"/", "hello from "+web, 30*time.Second)
	ls := svcRuleLines(nftTable(t), svc, ip, np)
	for _, want := range []string{ip + " . tcp . 80", "tcp . " + strconv.Itoa(int(np)), "chain service-", "chain endpoint-", ip + " . udp . 53", "set affinity-"} {
		if !anyContains(ls, want) {
			t.Errorf("while the Service exists, no line of its rules has %q:\n%s", want, strings.Join(ls, "\n"))
		}
	}

	mustMP(t, "down", "-f", path)
	mustMP(t, "down", web)
	if ls := svcRuleLines(nftTable(t), svc, ip, np); len(ls) > 0 {
		t.Errorf("table ip %s still holds Service %s (%s, nodePort %d) after its deletion:\n%s", natTable, svc, ip, np, strings.Join(ls, "\n"))
	}
	if c, err := net.DialTimeout("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(np))), 2*time.Second); err == nil {
		c.Close()
		t.Errorf("127.0.0.1:%d still answers after the Service's deletion", np)
	}
}

// TestServiceHeadless: clusterIP None gives no virtual address and no
// rules; its names in a client's /etc/hosts stand for each ready backend's
// pod IP, and a request by name reaches one of them.
func TestServiceHeadless(t *testing.T) {
	root(t)
	a, b, cli, svc := twoBackends(t, "shead", "  clusterIP: None\n")
	s := getSvc(t, svc)
	if s.Spec.ClusterIP != "None" {
		t.Errorf("clusterIP %q, want None", s.Spec.ClusterIP)
	}
	if g := mustMP(t, "get", "svc", svc); columnOfSvc(g, svc, 2) != "None" {
		t.Errorf("get svc: CLUSTER-IP is not None:\n%s", g)
	}
	aIP, bIP := podIPOf(t, a), podIPOf(t, b)
	waitEndpoints(t, svc, aIP+":80", bIP+":80")
	for _, host := range []string{svc, svc + ".default", svc + ".default.svc", svc + ".default.svc.cluster.local"} {
		var ips []string
		waitFor(t, 30*time.Second, "both backends under "+host+" in "+cli+"'s /etc/hosts", func() bool {
			ips = ips[:0]
			for _, l := range hostsLines(t, cli, host) {
				ips = append(ips, strings.Fields(l)[0])
			}
			sort.Strings(ips)
			want := []string{aIP, bIP}
			sort.Strings(want)
			return strings.Join(ips, ",") == strings.Join(want, ",")
		})
	}
	body := waitFetchAny(t, cli, "http://"+svc+"/")
	if body != "hello from "+a && body != "hello from "+b {
		t.Errorf("GET by the headless name answered %q", body)
	}
	if ls := svcRuleLines(nftTable(t), svc, "", 0); len(ls) > 0 {
		t.Errorf("a headless Service has rules:\n%s", strings.Join(ls, "\n"))
	}
}

// columnOfSvc is field i of svc's row in a get svc table.
func columnOfSvc(table, svc string, i int) string {
	for _, l := range lines(table) {
		if f := strings.Fields(l); len(f) > i && f[0] == svc {
			return f[i]
		}
	}
	return ""
}

// twoBackends runs two web backends (a and b, both labelled app: a), an
// idle client pod and a ClusterIP Service named a-svc selecting the
// backends, with spec added to the Service's spec; names start with base.
func twoBackends(t *testing.T, base, spec string) (a, b, cli, svc string) {
	t.Helper()
	a, b, cli = podName(base+"-a"), podName(base+"-b"), podName(base+"-cli")
	svc = a + "-svc"
	upPod(t, a, webBackend(a, a))
	upPod(t, b, webBackend(b, a))
	upPod(t, cli, tmpl(idlePod, cli, "PORTS", ""))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", a, "SPEC", spec))
	return a, b, cli, svc
}

// stoppingBackend serves "hello from {{NAME}}" with app: {{APP}}; on
// SIGTERM its shell (httpd, its child, serves on) fetches the Service at
// {{URL}} ten times and writes the answers to /out/answers, on the host.
const stoppingBackend = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels:
    app: {{APP}}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from {{NAME}} > /www/index.html && httpd -p 80 -h /www && trap 'for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -qO- {{URL}} || echo FAIL; done > /out/answers; exit 0' TERM; while true; do sleep 0.1; done"]
    ports:
    - containerPort: 80
      name: http
    volumeMounts: [{name: out, mountPath: /out}]
  volumes:
  - name: out
    hostPath: {path: {{OUT}}, type: Directory}
`

// nodeLockTests keeps the tests that hold the node lock from holding it
// at once: one's hold would stretch the other's timing.
var nodeLockTests sync.Mutex

// TestServiceStopLeavesEndpointsFirst: a pod being deleted is out of its
// Services' endpoints before its containers get SIGTERM, so that no
// client is sent to a container shutting down (or, a moment later, to an
// address whose veth is gone). The stopping backend itself asks the
// Service, from its TERM trap, while its server still runs: every answer
// must come from the other backend, also while the node lock, which the
// sync takes, is held by someone else for a while.
func TestServiceStopLeavesEndpointsFirst(t *testing.T) {
	root(t)
	a, b := podName("sleave-a"), podName("sleave-b")
	svc := a + "-svc"
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", a, "SPEC", ""))
	url := "http://" + getSvc(t, svc).Spec.ClusterIP + "/"
	out := t.TempDir()
	upPod(t, a, webBackend(a, a))
	upPod(t, b, tmpl(stoppingBackend, b, "APP", a, "URL", url, "OUT", out))
	waitEndpoints(t, svc, podIPOf(t, a)+":80", podIPOf(t, b)+":80")
	waitFetchIn(t, b, "http://127.0.0.1/", "hello from "+b) // its server is up
	// The node lock held for a while, as a busy node may: the sync that
	// takes b out waits for it, and so must b's SIGTERM.
	nodeLockTests.Lock()
	defer nodeLockTests.Unlock()
	lock, err := state.DefaultRoots().LockNode()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(700 * time.Millisecond)
		lock.Close()
	}()
	if r := mp(t, "down", b); r.code != 0 {
		t.Fatalf("down: %s", r)
	}
	data, err := os.ReadFile(out + "/answers")
	if err != nil {
		t.Fatalf("the stopping backend wrote no answers: %v", err)
	}
	got := lines(string(data))
	if len(got) != 10 {
		t.Fatalf("answers: %q, want 10", got)
	}
	for _, l := range got {
		if l != "hello from "+a {
			t.Errorf("after its SIGTERM, the Service still sent a request to the stopping pod (or nowhere): answers %q", got)
			break
		}
	}
}

// TestServiceDetachWaitsForLeave: a deleted pod keeps its network until
// its Services' rules no longer send traffic to it, also when the node
// lock, which the sync takes, is held for longer than the stop waits for
// the leave (a second). A connection sent to the address of a veth that
// is gone times out; one to the stopped pod is refused at once. Before,
// the veth went about a second after down, while the rules, synced only
// once the lock was free, still pointed at it.
func TestServiceDetachWaitsForLeave(t *testing.T) {
	root(t)
	a := podName("sdetach")
	svc := a + "-svc"
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", a, "SPEC", ""))
	upPod(t, a, webBackend(a, a))
	waitEndpoints(t, svc, podIPOf(t, a)+":80")
	st, err := readState(a)
	if err != nil {
		t.Fatal(err)
	}
	veth := "/sys/class/net/" + network.VethName(a, st.UID)
	nodeLockTests.Lock()
	defer nodeLockTests.Unlock()
	lock, err := state.DefaultRoots().LockNode()
	if err != nil {
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			lock.Close()
		}
	}()
	down := make(chan result, 1)
	go func() {
		r := result{code: -1} // sent also when mp ends the goroutine
		defer func() { down <- r }()
		r = mp(t, "down", a)
	}()
	// Past the stop's wait for the leave and the pod's grace period (1 s)
	// with room to spare; the monitor is then at the end of the pod.
	time.Sleep(3 * time.Second)
	_, vethErr := os.Lstat(veth)
	lock.Close()
	held = false
	if r := <-down; r.code != 0 {
		t.Fatalf("down: %s", r)
	}
	if vethErr != nil {
		t.Errorf("the pod's veth went while its Service's rules could not yet be synced: %v", vethErr)
	}
	if eps := svcEndpoints(t, svc); len(eps) != 0 {
		t.Errorf("endpoints after down: %v", eps)
	}
}
