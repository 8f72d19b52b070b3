package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

func web(ip string, ready bool, labels map[string]string) Pod {
	return Pod{Name: "p-" + ip, Namespace: "default", IP: ip, Ready: ready, Labels: labels,
		Ports: []state.Port{{Name: "http", ContainerPort: 8080, Protocol: "TCP"}}}
}

// TestEndpoints: the ready pods of the namespace that the selector
// matches, at the number or the named container port.
func TestEndpoints(t *testing.T) {
	app := map[string]string{"app": "web", "tier": "x"}
	pods := []Pod{
		web("10.89.0.2", true, app),
		web("10.89.0.3", false, app),
		web("10.89.0.4", true, map[string]string{"app": "db"}),
		{Name: "other-ns", Namespace: "prod", IP: "10.89.0.5", Ready: true, Labels: app},
	}
	svc := &podspec.Service{ObjectMeta: podspec.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: podspec.ServiceSpec{Selector: map[string]string{"app": "web"}}}
	byName := podspec.ServicePort{Port: 80, Protocol: "TCP", TargetPort: &podspec.IntOrString{IsString: true, Str: "http"}}
	if got := Endpoints(svc, byName, pods); len(got) != 1 || got[0].IP != "10.89.0.2" || got[0].Port != 8080 {
		t.Errorf("named port: %+v", got)
	}
	udp := podspec.ServicePort{Port: 53, Protocol: "UDP", TargetPort: &podspec.IntOrString{IsString: true, Str: "http"}}
	if got := Endpoints(svc, udp, pods); len(got) != 0 {
		t.Errorf("a named TCP port served UDP: %+v", got)
	}
	svc.Spec.PublishNotReadyAddresses = true
	num := podspec.ServicePort{Port: 80, Protocol: "TCP", TargetPort: &podspec.IntOrString{Int: 9090}}
	if got := Endpoints(svc, num, pods); len(got) != 2 || got[1].Port != 9090 {
		t.Errorf("publishNotReadyAddresses: %+v", got)
	}
	svc.Spec.Selector = nil
	if got := Endpoints(svc, num, pods); len(got) != 0 {
		t.Errorf("no selector: %+v", got)
	}
}

// TestHostsSection: every name of a Service, the short one only in its
// namespace; a headless one stands for its ready pods.
func TestHostsSection(t *testing.T) {
	svcs := []*podspec.Service{
		{ObjectMeta: podspec.ObjectMeta{Name: "web", Namespace: "default"}, Spec: podspec.ServiceSpec{ClusterIP: "10.96.0.10"}},
		{ObjectMeta: podspec.ObjectMeta{Name: "db", Namespace: "default"}, Spec: podspec.ServiceSpec{ClusterIP: "None",
			Selector: map[string]string{"app": "db"}, Ports: []podspec.ServicePort{{Port: 5432, Protocol: "TCP", TargetPort: &podspec.IntOrString{Int: 5432}}}}},
	}
	pods := []Pod{web("10.89.0.7", true, map[string]string{"app": "db"})}
	got := HostsSection("default", svcs, pods)
	want := hostsMarker +
		"10.96.0.10\tweb.default.svc.cluster.local\tweb.default.svc\tweb.default\tweb\n" +
		"10.89.0.7\tdb.default.svc.cluster.local\tdb.default.svc\tdb.default\tdb\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if other := HostsSection("prod", svcs[:1], nil); strings.Contains(other, "\tweb\n") {
		t.Errorf("a pod of another namespace got the short name:\n%s", other)
	}
}

// TestRewriteSection: the part after the marker is replaced in place (the
// same inode, which containers have bound); the rest is kept.
func TestRewriteSection(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(p, []byte("127.0.0.1\tlocalhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	for _, section := range []string{hostsMarker + "10.96.0.1\ta\n", hostsMarker + "10.96.0.2\tb\n", ""} {
		if err := rewriteSection(p, section); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		if string(b) != "127.0.0.1\tlocalhost\n"+section {
			t.Errorf("file:\n%s", b)
		}
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) {
		t.Error("the file was replaced, not rewritten")
	}
	link := filepath.Join(t.TempDir(), "link")
	_ = os.Symlink(p, link)
	if err := rewriteSection(link, "x"); err == nil {
		t.Error("a link was followed")
	}
}
