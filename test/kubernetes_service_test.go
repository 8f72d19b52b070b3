package test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// The kubelet gives every container the variables of Service
// default/kubernetes, the API server's, whose address is the first of the
// service range (10.96.0.1 by default, this suite's). One node has no API
// server: minipod gives the variables all the same, keeps the address and
// the name from other Services, and its pod network refuses connections
// to the address at once.
const kubernetesServiceIP = "10.96.0.1"

// TestK8sDocsCommands runs the example of the task page "Define a Command
// and Arguments for a Container" (tasks/inject-data-application/
// define-command-argument-container.md at 0189ae0f) unchanged. The page
// has `get pods` show the container completed and `logs` print HOSTNAME
// and KUBERNETES_PORT: "command-demo", then "tcp://10.3.240.1:443" (its
// cluster's address; here the node's). printenv fails, and the pod never
// completes, when either is unset.
func TestK8sDocsCommands(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/commands.yaml")
	got := strings.TrimSpace(completedLog(t, name))
	if want := "command-demo\ntcp://" + kubernetesServiceIP + ":443"; got != want {
		t.Errorf("logs %s: %q, want %q", name, got, want)
	}
}

// TestKubernetesServiceVariables: a pod gets default/kubernetes's eight
// variables, also with enableServiceLinks false; the name and the address
// are not another Service's to take.
func TestKubernetesServiceVariables(t *testing.T) {
	root(t)
	name := podName("k8svc-env")
	upPod(t, name, tmpl(idlePod, name, "PORTS", "")+"  enableServiceLinks: false\n")
	env := lines(mustMP(t, "exec", name, "--", "env"))
	ip := kubernetesServiceIP
	for _, kv := range []string{"KUBERNETES_SERVICE_HOST=" + ip, "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
		"KUBERNETES_PORT=tcp://" + ip + ":443", "KUBERNETES_PORT_443_TCP=tcp://" + ip + ":443", "KUBERNETES_PORT_443_TCP_PROTO=tcp",
		"KUBERNETES_PORT_443_TCP_PORT=443", "KUBERNETES_PORT_443_TCP_ADDR=" + ip} {
		if !slices.Contains(env, kv) {
			t.Errorf("env lacks %s:\n%s", kv, strings.Join(env, "\n"))
		}
	}
	refused := func(what, svc, text string, want ...string) {
		t.Helper()
		r, _ := tryApplySvc(t, svc, text)
		if r.code == 0 {
			t.Errorf("%s: accepted: %s", what, r)
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: error does not say %q: %s", what, w, r.stderr)
			}
		}
		if g := mp(t, "get", "svc", svc); g.code == 0 {
			t.Errorf("%s: the refused Service is kept:\n%s", what, g.stdout)
		}
	}
	refused("Service default/kubernetes", "kubernetes", "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\nspec:\n  ports:\n  - port: 443\n",
		"metadata.name: Forbidden", "default/kubernetes is the API server's own Service")
	other := name + "-svc"
	refused("clusterIP "+ip, other, "apiVersion: v1\nkind: Service\nmetadata:\n  name: "+other+"\nspec:\n  clusterIP: "+ip+"\n  ports:\n  - port: 443\n",
		"spec.clusterIPs[0]", "provided IP is already allocated")
}

// TestKubernetesServiceRefused: a connection from a pod to
// KUBERNETES_SERVICE_HOST:443 is refused at once (a TCP reset), not left
// to time out. The test routes the address into a veth pair of its own
// whose other end lies, down, in a network namespace of its own: without
// minipod's rule the packets would go there and vanish (the client
// waits), and in no case do they leave the node.
func TestKubernetesServiceRefused(t *testing.T) {
	root(t)
	name := podName("k8svc-rst")
	upPod(t, name, tmpl(idlePod, name, "PORTS", ""))
	const sink, peer = "mpt-apisink", "mpt-apipeer"
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	_ = exec.Command("ip", "link", "del", sink).Run() // an earlier crashed run's
	vethIntoNewNS(t, sink, peer)
	ip("link", "set", sink, "up")
	ip("route", "add", kubernetesServiceIP+"/32", "dev", sink)

	start := time.Now()
	r := mp(t, "exec", name, "--", "sh", "-c", "timeout 10 nc $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT </dev/null")
	took := time.Since(start)
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "Connection refused") {
		t.Errorf("nc to the API server's Service after %v: %s; want Connection refused", took, r)
	}
	if took > 5*time.Second {
		t.Errorf("the refusal took %v", took)
	}
}
