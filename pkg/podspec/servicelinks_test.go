package podspec

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func svc(ns, name, ip string, ports ...ServicePort) *Service {
	return &Service{ObjectMeta: ObjectMeta{Name: name, Namespace: ns}, Spec: ServiceSpec{ClusterIP: ip, Ports: ports}}
}

// TestServiceLinks: the kubelet's variables for a Service with a named
// second port (UDP); none for a headless Service, nor for one of another
// namespace, even default/kubernetes (a manifest's, not an API server's).
func TestServiceLinks(t *testing.T) {
	svcs := []*Service{
		svc("web", "my-svc", "10.96.0.10", ServicePort{Port: 80}, ServicePort{Name: "dns-udp", Protocol: "UDP", Port: 53}),
		svc("web", "headless", ClusterIPNone, ServicePort{Port: 80}),
		svc("other", "elsewhere", "10.96.0.11", ServicePort{Port: 80}),
		svc("default", "kubernetes", "10.96.0.1", ServicePort{Name: "https", Protocol: "TCP", Port: 443}),
	}
	want := map[string]string{
		"MY_SVC_SERVICE_HOST":         "10.96.0.10",
		"MY_SVC_SERVICE_PORT":         "80",
		"MY_SVC_SERVICE_PORT_DNS_UDP": "53",
		"MY_SVC_PORT":                 "tcp://10.96.0.10:80",
		"MY_SVC_PORT_80_TCP":          "tcp://10.96.0.10:80",
		"MY_SVC_PORT_80_TCP_PROTO":    "tcp",
		"MY_SVC_PORT_80_TCP_PORT":     "80",
		"MY_SVC_PORT_80_TCP_ADDR":     "10.96.0.10",
		"MY_SVC_PORT_53_UDP":          "udp://10.96.0.10:53",
		"MY_SVC_PORT_53_UDP_PROTO":    "udp",
		"MY_SVC_PORT_53_UDP_PORT":     "53",
		"MY_SVC_PORT_53_UDP_ADDR":     "10.96.0.10",
	}
	if got := ServiceLinks(svcs, "web"); !maps.Equal(got, want) {
		t.Errorf("namespace web:\n got %v\nwant %v", got, want)
	}
	if got := ServiceLinks(svcs, "default"); got["KUBERNETES_SERVICE_HOST"] != "10.96.0.1" || len(got) != 8 {
		t.Errorf("namespace default: got %v, want the 8 variables of its Service kubernetes", got)
	}
}

// TestResolveEnvServiceLinks: the Services' variables follow the
// container's own, sorted; the container's win; $(VAR) finds them.
func TestResolveEnvServiceLinks(t *testing.T) {
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "p", Namespace: "default"}}
	c := &Container{Name: "c", Env: []EnvVar{
		{Name: "A_SERVICE_PORT", Value: "mine"},
		{Name: "URL", Value: "http://$(A_SERVICE_HOST):$(A_SERVICE_PORT)/"},
	}}
	objs := NewManifest()
	objs.Services["a"] = svc("default", "a", "10.96.0.7", ServicePort{Port: 8080})
	objs.Services["other"] = svc("elsewhere", "other", "10.96.0.8", ServicePort{Port: 80})
	got, err := resolveEnv(objs, pod, c, []string{"PATH=/bin"}, EnvSources{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=/bin", "A_SERVICE_PORT=mine", "URL=http://10.96.0.7:mine/",
		"A_PORT=tcp://10.96.0.7:8080", "A_PORT_8080_TCP=tcp://10.96.0.7:8080", "A_PORT_8080_TCP_ADDR=10.96.0.7",
		"A_PORT_8080_TCP_PORT=8080", "A_PORT_8080_TCP_PROTO=tcp", "A_SERVICE_HOST=10.96.0.7"}
	if !slices.Equal(got, want) {
		t.Errorf("ResolveEnv:\n got %q\nwant %q", got, want)
	}
	off := false
	pod.Spec.EnableServiceLinks = &off
	got, err = resolveEnv(objs, pod, c, nil, EnvSources{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A_SERVICE_PORT=mine", "URL=http://$(A_SERVICE_HOST):mine/"}; !slices.Equal(got, want) {
		t.Errorf("enableServiceLinks false:\n got %q\nwant %q", got, want)
	}
}

// TestServiceLinksBelowEnvFrom: a key an envFrom brings wins over a
// Service's variable of the same name, and command and args expand the
// Services' variables, as with the kubelet.
func TestServiceLinksBelowEnvFrom(t *testing.T) {
	objs := NewManifest()
	objs.Services["a"] = svc("default", "a", "10.96.0.7", ServicePort{Port: 8080})
	objs.ConfigMaps["cm"] = &ConfigMap{ObjectMeta: ObjectMeta{Name: "cm", Namespace: "default"}, Data: map[string]string{"A_SERVICE_HOST": "from-configmap"}}
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "p", Namespace: "default"}}
	c := &Container{Name: "c", EnvFrom: []EnvFromSource{{ConfigMapRef: &ConfigMapEnvSource{Name: "cm"}}}}
	env, err := resolveEnv(objs, pod, c, nil, EnvSources{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "A_SERVICE_HOST=from-configmap") || slices.Contains(env, "A_SERVICE_HOST=10.96.0.7") {
		t.Errorf("env %q: the ConfigMap's A_SERVICE_HOST must win", env)
	}
	args, _ := ResolveArgs(nil, nil, []string{"wget"}, []string{"http://$(A_PORT_8080_TCP_ADDR):$(A_SERVICE_PORT)/"}, env)
	if want := []string{"wget", "http://10.96.0.7:8080/"}; !slices.Equal(args, want) {
		t.Errorf("args %q, want %q", args, want)
	}
}

// TestKubernetesServiceLinks: every container gets default/kubernetes's
// variables, in any namespace and with enableServiceLinks false, below
// its own; a Service of the pod's own namespace named kubernetes wins
// over them altogether, as in the kubelet's map of Services by name; no
// address, no variables.
func TestKubernetesServiceLinks(t *testing.T) {
	want := map[string]string{
		"KUBERNETES_SERVICE_HOST":       "10.96.0.1",
		"KUBERNETES_SERVICE_PORT":       "443",
		"KUBERNETES_SERVICE_PORT_HTTPS": "443",
		"KUBERNETES_PORT":               "tcp://10.96.0.1:443",
		"KUBERNETES_PORT_443_TCP":       "tcp://10.96.0.1:443",
		"KUBERNETES_PORT_443_TCP_PROTO": "tcp",
		"KUBERNETES_PORT_443_TCP_PORT":  "443",
		"KUBERNETES_PORT_443_TCP_ADDR":  "10.96.0.1",
	}
	if got := KubernetesServiceLinks("10.96.0.1"); !maps.Equal(got, want) {
		t.Errorf("KubernetesServiceLinks:\n got %v\nwant %v", got, want)
	}
	if got := KubernetesServiceLinks(""); len(got) != 0 {
		t.Errorf("no address: got %v", got)
	}
	src := EnvSources{APIServerIP: "10.96.0.1"}
	off := false
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "p", Namespace: "web"}, Spec: PodSpec{EnableServiceLinks: &off}}
	c := &Container{Name: "c", Env: []EnvVar{{Name: "KUBERNETES_SERVICE_PORT", Value: "mine"}, {Name: "U", Value: "$(KUBERNETES_PORT)"}}}
	got, err := DeclaredEnv(NewManifest(), pod, c, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range []string{"KUBERNETES_SERVICE_PORT=mine", "U=tcp://10.96.0.1:443", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1"} {
		if !slices.Contains(got, kv) {
			t.Errorf("enableServiceLinks false: %q missing from %q", kv, got)
		}
	}
	objs := NewManifest()
	objs.Services["kubernetes"] = svc("web", "kubernetes", "10.96.0.9", ServicePort{Port: 80})
	pod.Spec.EnableServiceLinks = nil
	got, err = DeclaredEnv(objs, pod, &Container{Name: "c"}, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range []string{"KUBERNETES_SERVICE_HOST=10.96.0.9", "KUBERNETES_PORT=tcp://10.96.0.9:80"} {
		if !slices.Contains(got, kv) {
			t.Errorf("namespace's own Service kubernetes: %q missing from %q", kv, got)
		}
	}
	for _, kv := range got {
		if strings.Contains(kv, "443") {
			t.Errorf("namespace's own Service kubernetes: %q of default/kubernetes is left", kv)
		}
	}
}
