package test

import (
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ---- Adding entries to Pod /etc/hosts with HostAliases
// https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/

// TestK8sDocsHostAliases (hostaliases-pod.yaml): the pod prints its
// /etc/hosts, the kubelet's file with the aliases after it, as the page
// shows it (with this pod's address).
func TestK8sDocsHostAliases(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "service/networking/hostaliases-pod.yaml")
	p := waitPod(t, name, 20*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	want := "# Kubernetes-managed hosts file.\n" +
		"127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\n" +
		"fe00::0\tip6-mcastprefix\n" +
		"fe00::1\tip6-allnodes\n" +
		"fe00::2\tip6-allrouters\n" +
		p.Status.PodIP + "\thostaliases-pod\n" +
		"\n" +
		"# Entries added by HostAliases.\n" +
		"127.0.0.1\tfoo.local\tbar.local\n" +
		"10.1.2.3\tfoo.remote\tbar.remote\n"
	got := mustMP(t, "logs", name)
	// Services other tests make meanwhile are listed after the pod's own
	// entries (the Services tests check that part).
	if i := strings.Index(got, "# Services (kept current by minipod)\n"); i > 0 {
		got = got[:i]
	}
	if got != want {
		t.Errorf("/etc/hosts:\n%s\nwant\n%s", got, want)
	}
}

// ---- DNS for Services and Pods
// https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config

// TestK8sDocsCustomDNS (custom-dns.yaml): dnsPolicy None with dnsConfig
// gives the resolv.conf the page shows.
func TestK8sDocsCustomDNS(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "service/networking/custom-dns.yaml")
	want := "nameserver 192.0.2.1\nsearch ns1.svc.cluster-domain.example my.dns.search.suffix\noptions ndots:2 edns0\n"
	if got := execOut(t, name, "test", "cat", "/etc/resolv.conf"); got != want {
		t.Errorf("/etc/resolv.conf:\n%s\nwant\n%s", got, want)
	}
}

// TestPodDNSNames: hostname and subdomain give the hosts file's fully
// qualified line; dnsConfig is merged into the node's resolv.conf
// (dnsPolicy Default); a hostNetwork pod gets the node's hosts file with
// its aliases appended.
func TestPodDNSNames(t *testing.T) {
	root(t)
	name := podName("dnsnames")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  hostname: busybox-1
  subdomain: default-subdomain
  dnsPolicy: Default
  dnsConfig:
    nameservers: [192.0.2.7]
    searches: [extra.example]
    options: [{name: ndots, value: "3"}]
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
`, name))
	ip := getPod(t, name).Status.PodIP
	hosts := execOut(t, name, "c", "cat", "/etc/hosts")
	if line := ip + "\tbusybox-1.default-subdomain.default.svc.cluster.local\tbusybox-1\n"; !strings.Contains(hosts, line) {
		t.Errorf("/etc/hosts lacks %q:\n%s", line, hosts)
	}
	if h := execOut(t, name, "c", "hostname"); h != "busybox-1\n" {
		t.Errorf("hostname %q", h)
	}
	resolv := execOut(t, name, "c", "cat", "/etc/resolv.conf")
	if !strings.Contains(resolv, "nameserver 192.0.2.7\n") || !strings.Contains(resolv, "extra.example") || !strings.Contains(resolv, "ndots:3") {
		t.Errorf("dnsConfig not merged into the node's resolv.conf:\n%s", resolv)
	}
	node, _ := os.ReadFile("/etc/resolv.conf")
	for _, l := range strings.Split(string(node), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "nameserver" && !strings.Contains(resolv, l) {
			t.Errorf("the node's %q is missing:\n%s", l, resolv)
		}
	}

	hn := podName("dnshostnet")
	upPod(t, hn, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  hostNetwork: true
  hostAliases: [{ip: 10.9.9.9, hostnames: [alias.example]}]
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
`, hn))
	hosts = execOut(t, hn, "c", "cat", "/etc/hosts")
	if !strings.HasPrefix(hosts, "# Kubernetes-managed hosts file (host network).\n") || !strings.HasSuffix(hosts, "\n# Entries added by HostAliases.\n10.9.9.9\talias.example\n") {
		t.Errorf("hostNetwork /etc/hosts:\n%s", hosts)
	}
}

// ---- Expose Pod Information to Containers Through Environment Variables
// https://kubernetes.io/docs/tasks/inject-data-application/environment-variable-expose-pod-information/

// TestK8sDocsDownwardPodFields (dapi-envars-pod.yaml): the container
// prints the node's name, its pod's name and namespace, its address and
// its service account, as the page shows them: the node is the one the
// pod was bound to (a kubelet's default name: the hostname in lower
// case), the account the namespace's "default". `get` shows both in the
// pod's spec, and the node in -o wide.
func TestK8sDocsDownwardPodFields(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/inject/dapi-envars-pod.yaml")
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	node := strings.ToLower(host)
	want := "\n" + node + "\n" + name + "\ndefault\n" + podIPOf(t, name) + "\ndefault\n"
	waitFor(t, 10*time.Second, "the printed fields", func() bool {
		return strings.Contains(mustMP(t, "logs", name), want)
	})
	p := getPod(t, name)
	if p.Spec.NodeName != node || p.Spec.ServiceAccountName != "default" || p.Spec.DeprecatedServiceAccount != "default" {
		t.Errorf("spec nodeName %q, serviceAccountName %q, serviceAccount %q; want %q, default, default",
			p.Spec.NodeName, p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount, node)
	}
	wide := lines(mustMP(t, "get", name, "-o", "wide"))
	if row := strings.Fields(wide[len(wide)-1]); len(row) < 7 || row[6] != node {
		t.Errorf("get -o wide printed %q, want NODE %s", wide, node)
	}
}

// TestK8sDocsDownwardResources (dapi-envars-container.yaml): the container
// prints its own requests and limits from resourceFieldRef variables: 1,
// 1, 33554432, 67108864, as the page shows (CPU rounded up to whole cores).
func TestK8sDocsDownwardResources(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/inject/dapi-envars-container.yaml")
	waitFor(t, 10*time.Second, "the printed resources", func() bool {
		return strings.Contains(mustMP(t, "logs", name), "\n1\n1\n33554432\n67108864\n")
	})
}
