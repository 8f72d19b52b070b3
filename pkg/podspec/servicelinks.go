package podspec

import (
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
)

// ServiceLinks is the environment the kubelet gives a container for the
// Services there are when it starts: for each Service of the pod's
// namespace that has a cluster IP (with enableServiceLinks), its address
// and ports as NAME_SERVICE_HOST and NAME_SERVICE_PORT[_PORTNAME], and as
// the variables of a Docker link (NAME_PORT, NAME_PORT_80_TCP_ADDR, ...).
// Headless Services have no address to give; Services of other
// namespaces are skipped, whatever the caller listed.
func ServiceLinks(svcs []*Service, namespace string) map[string]string {
	env := map[string]string{}
	for _, s := range svcs {
		if s.Namespace != namespace || s.Spec.ClusterIP == "" || s.Spec.ClusterIP == ClusterIPNone || len(s.Spec.Ports) == 0 {
			continue
		}
		addServiceVars(env, s)
	}
	return env
}

// KubernetesService is the name of the API server's own Service, in
// namespace default.
const KubernetesService = "kubernetes"

// KubernetesServiceLinks are the variables of Service default/kubernetes,
// which the kubelet gives every pod, in any namespace and whatever
// enableServiceLinks: address ip (the service range's first), port 443
// named https. A node has no API server behind it (its pod network
// refuses connections to ip), but programs and manifests that read the
// variables find them, as in a cluster.
func KubernetesServiceLinks(ip string) map[string]string {
	env := map[string]string{}
	if ip == "" {
		return env
	}
	addServiceVars(env, &Service{
		ObjectMeta: ObjectMeta{Name: KubernetesService, Namespace: "default"},
		Spec:       ServiceSpec{ClusterIP: ip, Ports: []ServicePort{{Name: "https", Protocol: "TCP", Port: 443}}},
	})
	return env
}

// serviceLinks is what a container of pod gets: default/kubernetes's
// variables, and when the pod takes them (enableServiceLinks, true unless
// set false) those of its namespace's Services. A Service of its own
// namespace named kubernetes, with an address, stands in for
// default/kubernetes altogether, as in the kubelet's map of Services by
// name.
func serviceLinks(m Objects, pod *Pod, apiServerIP string) (map[string]string, error) {
	if pod.Spec.EnableServiceLinks != nil && !*pod.Spec.EnableServiceLinks {
		return KubernetesServiceLinks(apiServerIP), nil
	}
	svcs, err := m.ServicesOf(pod.Namespace)
	if err != nil {
		return nil, fmt.Errorf("the Services' variables: %w", err)
	}
	env := ServiceLinks(svcs, pod.Namespace)
	if _, own := env[linkName(KubernetesService)+"_SERVICE_HOST"]; !own {
		maps.Copy(env, KubernetesServiceLinks(apiServerIP))
	}
	return env, nil
}

// addServiceVars sets one Service's variables; the first port also has
// the names without a port in them.
func addServiceVars(env map[string]string, s *Service) {
	prefix := linkName(s.Name)
	ip := s.Spec.ClusterIP
	env[prefix+"_SERVICE_HOST"] = ip
	env[prefix+"_SERVICE_PORT"] = strconv.Itoa(int(s.Spec.Ports[0].Port))
	for i, p := range s.Spec.Ports {
		port := strconv.Itoa(int(p.Port))
		if p.Name != "" {
			env[prefix+"_SERVICE_PORT_"+linkName(p.Name)] = port
		}
		proto := p.Protocol
		if proto == "" {
			proto = "TCP"
		}
		url := strings.ToLower(proto) + "://" + net.JoinHostPort(ip, port)
		if i == 0 {
			env[prefix+"_PORT"] = url
		}
		link := prefix + "_PORT_" + port + "_" + strings.ToUpper(proto)
		env[link] = url
		env[link+"_PROTO"] = strings.ToLower(proto)
		env[link+"_PORT"] = port
		env[link+"_ADDR"] = ip
	}
}

// linkName is a Service's or port's name as part of a variable's:
// upper case, '-' as '_'.
func linkName(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}
