package test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"github.com/vishvananda/netns"
)

// Attacks on Services: what a hostile manifest or container could try
// with them. A Service that selects another pod of its namespace is no
// attack (a namespace is one trust domain, as in a cluster) and is not
// tested here.

// pickNodePort returns a port of 30000-32767 that nothing on the host
// listens on, no pod holds as a hostPort, no Service holds as a nodePort
// and no other test of this binary got.
func pickNodePort(t testing.TB) int {
	t.Helper()
	held := map[int]bool{}
	files, _ := filepath.Glob("/var/lib/minipod/objects/services/*/*.json")
	re := regexp.MustCompile(`"nodePort":\s*(\d+)`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllSubmatch(b, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			held[n] = true
		}
	}
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 500 {
		p := 30000 + rand.IntN(2768)
		if held[p] || portsHanded[p] || portReserved(p) || !bindable(p) {
			continue
		}
		portsHanded[p] = true
		return p
	}
	t.Fatal("no free node port found")
	return 0
}

// TestAttackServicesNodePortOverHostPort: a Service asks for the nodePort
// that a running pod holds as its hostPort. Kubernetes' API server does not
// know hostPorts and accepts the Service; what matters on the node is that
// the running pod keeps its port: the hostPort's DNAT runs before the
// Services' (table ip minipod), so the node's address and 127.0.0.1 still
// lead to the hostPort's pod. The other way round (a pod asking for a
// hostPort a Service holds as a nodePort) is reported too.
func TestAttackServicesNodePortOverHostPort(t *testing.T) {
	root(t)
	holder, web := podName("atks-hp"), podName("atks-np")
	port := pickNodePort(t)
	p := strconv.Itoa(port)
	upPod(t, holder, tmpl(webPod, holder, "EXTRA", hostPortField(port)))
	upPod(t, web, webBackend(web, web))
	waitHTTP(t, "http://127.0.0.1:"+p+"/", "hello from "+holder, 30*time.Second)

	svc := web + "-svc"
	r, _ := tryApplySvc(t, svc, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  type: NodePort
  selector:
    app: {{APP}}
  ports:
  - port: 80
    nodePort: {{PORT}}
`, svc, "APP", web, "PORT", p))
	t.Logf("a Service asking for nodePort %d, held by pod %s's hostPort: up exit %d\nstdout: %s\nstderr: %s", port, holder, r.code, r.stdout, r.stderr)
	if r.code == 0 {
		waitEndpoints(t, svc, podIPOf(t, web)+":80")
		// The Service works at its ClusterIP, not at the hijacked port.
		waitHTTP(t, "http://"+getSvc(t, svc).Spec.ClusterIP+"/", "hello from "+web, 10*time.Second)
	}
	for _, host := range []string{"127.0.0.1", nodeIPv4(t)} {
		for i := range 5 {
			got, err := httpGet("http://" + net.JoinHostPort(host, p) + "/")
			if strings.TrimSpace(got) != "hello from "+holder {
				t.Errorf("request %d to %s:%d: %q (%v), want the hostPort's pod %s: a Service took a running pod's port", i, host, port, got, err, holder)
			}
		}
	}

	// The other way round: a Service holds the nodePort first, then a pod
	// asks for it as a hostPort.
	port2 := pickNodePort(t)
	p2 := strconv.Itoa(port2)
	svc2 := web + "-svc2"
	applySvc(t, svc2, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  type: NodePort
  selector:
    app: {{APP}}
  ports:
  - port: 80
    nodePort: {{PORT}}
`, svc2, "APP", web, "PORT", p2))
	waitHTTP(t, "http://127.0.0.1:"+p2+"/", "hello from "+web, 30*time.Second)
	late := podName("atks-late")
	lr := tryUp(t, late, tmpl(webPod, late, "EXTRA", hostPortField(port2)))
	t.Logf("a pod asking for hostPort %d, held by Service %s as its nodePort: up exit %d\nstdout: %s\nstderr: %s", port2, svc2, lr.code, lr.stdout, lr.stderr)
	if lr.code == 0 {
		got, err := httpGet("http://127.0.0.1:" + p2 + "/")
		t.Logf("after the pod took hostPort %d, 127.0.0.1:%d answers %q (%v): the hostPort's DNAT runs first, the Service's nodePort is shadowed", port2, port2, strings.TrimSpace(got), err)
	}
}

// TestAttackServicesPodCannotWriteRules: the Services' rules live in the
// node's network namespace; a pod's containers are in the pod's own, with
// no CAP_NET_ADMIN even there: they can neither reach table ip minipod
// nor change their own namespace's addresses or routes.
func TestAttackServicesPodCannotWriteRules(t *testing.T) {
	root(t)
	name := podName("atks-rules")
	upPod(t, name, tmpl(idlePod, name, "PORTS", ""))
	status := execOut(t, name, "", "cat", "/proc/self/status")
	capEff, err := strconv.ParseUint(statusLine(status, "CapEff"), 16, 64)
	if err != nil {
		t.Fatalf("CapEff of a container process: %q", statusLine(status, "CapEff"))
	}
	const capNetAdmin = 12
	if capEff&(1<<capNetAdmin) != 0 {
		t.Errorf("a container process has CAP_NET_ADMIN (CapEff %016x)", capEff)
	}
	if nsInode(t, name, "", "net") == hostNS(t, "net") {
		t.Errorf("the container is in the node's network namespace")
	}
	for _, cmd := range [][]string{
		{"ip", "addr", "add", "10.96.0.77/32", "dev", "lo"},
		{"ip", "route", "add", "10.96.0.0/16", "dev", "lo"},
		{"ip", "link", "set", "lo", "down"},
	} {
		r := mp(t, append([]string{"exec", name, "--"}, cmd...)...)
		if r.code == 0 {
			t.Errorf("%s in a container succeeded: %s", strings.Join(cmd, " "), r)
		} else if !strings.Contains(r.stderr, "not permitted") {
			t.Logf("%s: %s", strings.Join(cmd, " "), strings.TrimSpace(r.stderr))
		}
	}
}

// TestAttackServicesHostsFile: a container may write its own /etc/hosts
// (Kubernetes mounts it writable), but cannot make minipod write
// elsewhere or affect another pod's file: after it rewrote its own file
// (claiming a Service's name for another address, and then growing the
// file past 1 MiB), the next change of the Services still gives the other
// pod the right address, and the node's change succeeds.
func TestAttackServicesHostsFile(t *testing.T) {
	root(t)
	evil, victim := podName("atks-evil"), podName("atks-victim")
	svc := evil + "-svc"
	upPod(t, evil, tmpl(idlePod, evil, "PORTS", ""))
	upPod(t, victim, webBackend(victim, victim))
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", victim, "SPEC", ""))
	ip := getSvc(t, svc).Spec.ClusterIP

	forged := "# Services (kept current by minipod)\n6.6.6.6\t" + svc + "\n"
	execOut(t, evil, "", "sh", "-c", `printf '6.6.6.6\t%s\n%s' "$1" "$2" > /etc/hosts`, "sh", svc, forged)
	for _, cmd := range []string{"rm -f /etc/hosts", "ln -sf /etc/shadow /etc/hosts", "mv /etc/hosts /etc/hosts.old"} {
		if r := mp(t, "exec", evil, "--", "sh", "-c", cmd); r.code == 0 {
			t.Errorf("%q in a container succeeded: its /etc/hosts is a bind mount of minipod's file", cmd)
		}
	}
	// The next Sync (another Service) rewrites the Services section.
	svc2 := evil + "-svc2"
	applySvc(t, svc2, tmpl(svcClusterIP, svc2, "APP", victim, "SPEC", ""))
	ip2 := getSvc(t, svc2).Spec.ClusterIP
	checkHosts := func(pod string) {
		t.Helper()
		for host, want := range map[string]string{svc: ip, svc2: ip2} {
			var ls []string
			waitFor(t, 30*time.Second, pod+"'s /etc/hosts to name "+host+" "+want, func() bool {
				ls = hostsLines(t, pod, host)
				return len(ls) == 1 && strings.Fields(ls[0])[0] == want
			})
		}
	}
	checkHosts(victim)
	if h := execOut(t, victim, "", "cat", "/etc/hosts"); strings.Contains(h, "6.6.6.6") {
		t.Errorf("the victim's /etc/hosts has the evil pod's address:\n%s", h)
	}
	evilHosts := execOut(t, evil, "", "cat", "/etc/hosts")
	if i := strings.Index(evilHosts, "# Services (kept current by minipod)"); i < 0 || strings.Contains(evilHosts[i:], "6.6.6.6") {
		t.Errorf("the evil pod's forged Services section was kept:\n%s", evilHosts)
	}
	t.Logf("the evil pod's own /etc/hosts after the rewrite (its lines before the marker are its own):\n%s", evilHosts)

	// A file past 1 MiB: minipod stops maintaining it, nothing else.
	execOut(t, evil, "", "sh", "-c", "dd if=/dev/zero bs=1024 count=1100 2>/dev/null | tr '\\0' '#' >> /etc/hosts")
	svc3 := evil + "-svc3"
	start := time.Now()
	applySvc(t, svc3, tmpl(svcClusterIP, svc3, "APP", victim, "SPEC", ""))
	t.Logf("up of a Service with a pod's /etc/hosts past 1 MiB: %v", time.Since(start).Round(time.Millisecond))
	ip3 := getSvc(t, svc3).Spec.ClusterIP
	waitFor(t, 30*time.Second, victim+"'s /etc/hosts to name "+svc3, func() bool {
		ls := hostsLines(t, victim, svc3)
		return len(ls) == 1 && strings.Fields(ls[0])[0] == ip3
	})
	waitFetchIn(t, victim, "http://"+svc3+"/", "hello from "+victim)
}

// TestAttackServicesOddNames: names end up in every pod's /etc/hosts
// (NAME, NAME.NAMESPACE, ...), so a name that could carry a newline, a
// blank, a tab or a dot is refused: Service names are DNS-1035 labels,
// namespaces DNS-1123 labels, port names DNS-1123 labels too. Nothing of a
// refused file is kept.
func TestAttackServicesOddNames(t *testing.T) {
	root(t)
	base := podName("atks-odd")
	cases := []struct {
		what, meta, portName string
		want                 []string
	}{
		{"a newline in the name", `name: "` + base + `\n6.6.6.6 kubernetes"`, "", []string{"metadata.name", "DNS-1035"}},
		{"a tab in the name", `name: "` + base + `\tx"`, "", []string{"metadata.name", "DNS-1035"}},
		{"a dot in the name", `name: ` + base + `.x`, "", []string{"metadata.name", "DNS-1035"}},
		{"upper case", `name: ` + strings.ToUpper(base[:1]) + base[1:], "", []string{"metadata.name", "DNS-1035"}},
		{"a leading digit", `name: 1` + base, "", []string{"metadata.name", "DNS-1035"}},
		{"64 characters", `name: ` + base + strings.Repeat("x", 64-len(base)), "", []string{"metadata.name", "63"}},
		{"a newline in the namespace", "name: " + base + "-ns\n  namespace: \"default\\n6.6.6.6 x\"", "", []string{"metadata.namespace"}},
		{"a newline in a port name", "name: " + base + "-pn", `"http\n6.6.6.6"`, []string{"spec.ports[0].name"}},
	}
	for i, c := range cases {
		portName := ""
		if c.portName != "" {
			portName = "\n    name: " + c.portName
		}
		text := "apiVersion: v1\nkind: Service\nmetadata:\n  " + c.meta + "\nspec:\n  selector:\n    app: x\n  ports:\n  - port: 80" + portName + "\n"
		r, _ := tryApplySvc(t, fmt.Sprintf("%s-%d", base, i), text)
		if r.code == 0 {
			t.Errorf("%s: accepted:\n%s", c.what, text)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: the error does not say %q: %s", c.what, w, strings.TrimSpace(r.stderr))
			}
		}
	}
	// expose --name takes the same rule.
	pod := podName("atks-oddpod")
	upPod(t, pod, webBackend(pod, pod))
	for _, n := range []string{"a\nb", "a b", "A", "a.b"} {
		if r := mp(t, "expose", "pod", pod, "--port=80", "--name="+n); r.code == 0 {
			t.Errorf("expose --name=%q accepted", n)
			mp(t, "delete", "svc", n)
		}
	}
	files, _ := filepath.Glob("/var/lib/minipod/objects/services/*/*")
	for _, f := range files {
		if strings.Contains(f, base) || strings.Contains(f, pod) || strings.ContainsAny(filepath.Base(f), "\n\t ") {
			t.Errorf("a refused Service was kept: %q", f)
		}
	}
	hosts := execOut(t, pod, "", "cat", "/etc/hosts")
	if strings.Contains(hosts, "6.6.6.6") {
		t.Errorf("an injected line reached /etc/hosts:\n%s", hosts)
	}
}

// TestAttackServicesManyPorts: one Service with 2000 ports (valid for the
// API server) must not wedge the node: either it is served, or it is
// refused and nothing of it is kept; meanwhile another Service can be made
// and answers, and once it is deleted nothing of it is left in the rules.
// The times of up, describe, get and the deletion are logged, not judged.
//
// Not parallel: while the big Service is on the node, a failure to sync
// the node's rules would fail every other Service test of the run; this
// test ends that state as soon as it has seen it.
func TestAttackServicesManyPorts(t *testing.T) {
	testutil.RequiresRoot(t)
	web := podName("atks-many")
	upPod(t, web, webBackend(web, web))
	svc := web + "-svc"
	const n = 2000
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  selector:\n    app: %s\n  ports:\n", svc, web)
	for i := range n {
		fmt.Fprintf(&b, "  - name: p%d\n    port: %d\n    targetPort: 80\n", i, 10000+i)
	}
	start := time.Now()
	r, path := tryApplySvc(t, svc, b.String())
	t.Logf("up of a Service with %d ports (%d bytes): exit %d after %v: %s", n, b.Len(), r.code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.stderr))
	kept := mp(t, "get", "svc", svc).code == 0
	ip := ""
	if kept {
		ip = getSvc(t, svc).Spec.ClusterIP
	}
	switch {
	case r.code != 0 && kept:
		t.Errorf("up of the %d-port Service failed (%s) but the Service is kept on the node", n, strings.TrimSpace(r.stderr))
	case r.code == 0:
		if _, err := httpGet("http://" + net.JoinHostPort(ip, strconv.Itoa(10000+n-1)) + "/"); err != nil {
			t.Errorf("the %d-port Service does not answer on its last port: %v", n, err)
		}
		if c := strings.Count(nftTable(t), "service=default/"+svc+":p"); c < n {
			t.Errorf("the table has %d rules/elements of %s, want at least %d", c, svc, n)
		}
	}

	// Another Service next to it.
	small := web + "-small"
	start = time.Now()
	sr, _ := tryApplySvc(t, small, tmpl(svcClusterIP, small, "APP", web, "SPEC", ""))
	t.Logf("up of another Service next to it: exit %d after %v: %s", sr.code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(sr.stderr))
	if sr.code != 0 {
		t.Errorf("with the %d-port Service on the node, up of another Service failed: %s", n, strings.TrimSpace(sr.stderr))
	}
	smallURL := ""
	if mp(t, "get", "svc", small).code == 0 {
		smallURL = "http://" + getSvc(t, small).Spec.ClusterIP + "/"
		if !answersWithin(smallURL, "hello from "+web, 10*time.Second) {
			t.Errorf("with the %d-port Service on the node, another Service (%s) does not answer", n, smallURL)
		}
	}
	if kept {
		start = time.Now()
		d := mp(t, "describe", "svc", svc)
		t.Logf("describe svc of %d ports: %v, %d lines", n, time.Since(start).Round(time.Millisecond), len(lines(d.stdout)))
		start = time.Now()
		mp(t, "get", "svc")
		t.Logf("get svc: %v", time.Since(start).Round(time.Millisecond))
	}

	start = time.Now()
	dr := mp(t, "down", "--ignore-not-found", "-f", path)
	t.Logf("deletion of the %d-port Service: exit %d after %v", n, dr.code, time.Since(start).Round(time.Millisecond))
	if ls := svcRuleLines(nftTable(t), svc, ip, 0); len(ls) > 0 {
		t.Errorf("%d lines of the deleted Service left in the table, first: %s", len(ls), ls[0])
	}
	if smallURL != "" && !answersWithin(smallURL, "hello from "+web, 10*time.Second) {
		t.Errorf("after the %d-port Service's deletion, the other Service (%s) does not answer", n, smallURL)
	}
}

// answersWithin tells whether GET url answers want (trimmed) within d.
func answersWithin(url, want string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if body, err := httpGet(url); err == nil && strings.TrimSpace(body) == want {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sourcePod answers GET /cgi-bin/ip with the client address busybox
// httpd saw (REMOTE_ADDR).
const sourcePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  labels:
    app: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command:
    - sh
    - -c
    - |
      mkdir -p /www/cgi-bin
      cat > /www/cgi-bin/ip <<'EOS'
      #!/bin/sh
      echo "Content-Type: text/plain"
      echo
      echo "$REMOTE_ADDR"
      EOS
      chmod +x /www/cgi-bin/ip
      exec httpd -f -p 80 -h /www
    ports:
    - containerPort: 80
`

// getPathIn does GET path on addr from inside ns (netns.None(): the node)
// and returns the trimmed body of a 200 answer.
func getPathIn(ns netns.NsHandle, addr, path string, timeout time.Duration) (string, error) {
	c, err := dialIn(ns, addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.0\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	// A CGI's header ends with a bare blank line.
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok || !strings.Contains(strings.SplitN(head, "\n", 2)[0], " 200 ") {
		return "", fmt.Errorf("GET %s%s: %q", addr, path, b)
	}
	return strings.TrimSpace(body), nil
}

// remoteAddr turns busybox httpd's REMOTE_ADDR of an IPv4 client
// ("[::ffff:10.89.0.1]") into the IPv4 address, "" if it is none.
func remoteAddr(s string) string {
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]"))
	if ip == nil || ip.To4() == nil {
		return ""
	}
	return ip.To4().String()
}

// TestAttackServicesSourceAddress: what address a backend sees of a
// client coming through a NodePort. With externalTrafficPolicy Local the
// client's own address must reach the backend (that is the policy's
// point). With Cluster, kube-proxy masquerades external clients (the
// endpoint may be on another node); minipod, on one node, does not (see
// pkg/network SyncServices): the test logs what each policy gives for a
// machine of the LAN, the node at its address and the node at 127.0.0.1
// (masqueraded to the bridge's address, the only way back from a pod).
func TestAttackServicesSourceAddress(t *testing.T) {
	root(t)
	web := podName("atks-src")
	upPod(t, web, tmpl(sourcePod, web))
	lan := newLAN(t)
	node := nodeIPv4(t)
	svcs := map[string]string{"Local": web + "-local", "Cluster": web + "-cluster"}
	ports := map[string]string{}
	for policy, svc := range svcs {
		applySvc(t, svc, tmpl(`apiVersion: v1
kind: Service
metadata:
  name: {{NAME}}
spec:
  type: NodePort
  externalTrafficPolicy: {{POLICY}}
  selector:
    app: {{APP}}
  ports:
  - port: 80
`, svc, "APP", web, "POLICY", policy))
		s := getSvc(t, svc)
		if string(s.Spec.ExternalTrafficPolicy) != policy {
			t.Errorf("%s: externalTrafficPolicy %q, want %s", svc, s.Spec.ExternalTrafficPolicy, policy)
		}
		ports[policy] = strconv.Itoa(int(s.Spec.Ports[0].NodePort))
	}
	webIP := podIPOf(t, web)
	seen := func(ns netns.NsHandle, addr string) string {
		t.Helper()
		var got string
		var err error
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err = getPathIn(ns, addr, "/cgi-bin/ip", 3*time.Second)
			if err == nil && remoteAddr(got) != "" {
				return remoteAddr(got)
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET /cgi-bin/ip at %s: %q, %v", addr, got, err)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	for _, policy := range []string{"Local", "Cluster"} {
		waitEndpoints(t, svcs[policy], webIP+":80")
		fromLAN := seen(lan.ns, net.JoinHostPort(node, ports[policy]))
		fromNode := seen(netns.None(), net.JoinHostPort(node, ports[policy]))
		fromLoopback := seen(netns.None(), "127.0.0.1:"+ports[policy])
		t.Logf("externalTrafficPolicy %s: the backend sees the LAN machine (%s) as %s, the node at %s as %s, the node at 127.0.0.1 as %s",
			policy, lan.peerIP, fromLAN, node, fromNode, fromLoopback)
		if policy == "Local" && fromLAN != lan.peerIP {
			t.Errorf("externalTrafficPolicy Local: the backend saw the LAN machine %s as %s; Local must keep the client's address", lan.peerIP, fromLAN)
		}
		if fromLAN == podGateway {
			t.Logf("externalTrafficPolicy %s: the LAN client was masqueraded to the bridge's address", policy)
		}
	}
}

// TestAttackServicesHostsLease: a root container owns its /etc/hosts as
// far as the kernel can tell, and can take a lease on it: whoever opens it
// for writing then waits up to lease-break-time (45 s). The Services'
// sync, which rewrites every pod's hosts file under the node lock, must
// not wait: a Service made meanwhile is set up at once, and another pod
// still gets its name.
func TestAttackServicesHostsLease(t *testing.T) {
	root(t)
	needAttackImage(t)
	atk, cli := podName("atks-lease"), podName("atks-lease-cli")
	// A lease is refused while someone has the file open for writing (a
	// sync, just then): the attacker tries until it has one.
	upPod(t, atk, attackPodText(atk, `["sh", "-c", "(until /attack lease /etc/hosts 120; do sleep 0.2; done) & `+idle+`"]`, "", ""))
	upPod(t, cli, tmpl(idlePod, cli, "PORTS", ""))
	waitLog(t, atk, "main", "leased /etc/hosts", 20*time.Second)
	svc := atk + "-svc"
	start := time.Now()
	applySvc(t, svc, tmpl(svcClusterIP, svc, "APP", atk, "SPEC", ""))
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("making a Service waited %v on a container's lease", took.Round(time.Second))
	}
	if hosts := execOut(t, cli, "", "cat", "/etc/hosts"); !strings.Contains(hosts, "\t"+svc+"\n") {
		t.Errorf("the other pod's /etc/hosts lacks the Service:\n%s", hosts)
	}
	if logs := mp(t, "logs", atk).stdout; strings.Contains(logs, "OPENED") {
		t.Logf("the sync opened the leased file (and did not wait): %s", logs)
	}
}
