package podspec

import (
	"fmt"
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
//
// The kubelet also gives every pod, in any namespace and whatever
// enableServiceLinks, the variables of Service default/kubernetes: the API
// server's. A node without one has no such Service of its own, and one a
// manifest made under that name would reach into every namespace's pods:
// it counts as any other Service.
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

// serviceLinks lists the pod's namespace's Services only when the pod
// takes their variables (enableServiceLinks, true unless set false).
func serviceLinks(m Objects, pod *Pod) (map[string]string, error) {
	if pod.Spec.EnableServiceLinks != nil && !*pod.Spec.EnableServiceLinks {
		return nil, nil
	}
	svcs, err := m.ServicesOf(pod.Namespace)
	if err != nil {
		return nil, fmt.Errorf("the Services' variables: %w", err)
	}
	return ServiceLinks(svcs, pod.Namespace), nil
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
