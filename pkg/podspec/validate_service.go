package podspec

import (
	"fmt"
	"net"
	"strconv"
)

// dns1035Label is the rule for Service names: they become DNS names, so
// they start with a letter.
func dns1035Label(s string) string {
	if len(s) > 63 {
		return "must be no more than 63 characters"
	}
	if !isDNS1035Label(s) {
		return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
			"and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
	}
	return ""
}

// defaultService is the API server's SetDefaults_Service, less the
// addresses, which the node allocates when it keeps the Service.
func defaultService(s *Service) {
	sp := &s.Spec
	if sp.Type == "" {
		sp.Type = ServiceTypeClusterIP
	}
	if sp.SessionAffinity == "" {
		sp.SessionAffinity = "None"
	}
	if sp.SessionAffinity == "ClientIP" && (sp.SessionAffinityConfig == nil || sp.SessionAffinityConfig.ClientIP == nil || sp.SessionAffinityConfig.ClientIP.TimeoutSeconds == nil) {
		t := int32(DefaultAffinityTimeout)
		sp.SessionAffinityConfig = &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: &t}}
	}
	for i := range sp.Ports {
		p := &sp.Ports[i]
		if p.Protocol == "" {
			p.Protocol = "TCP"
		}
		if p.TargetPort == nil || (!p.TargetPort.IsString && p.TargetPort.Int == 0) {
			p.TargetPort = &IntOrString{Int: p.Port}
		}
	}
	if sp.Type == ServiceTypeNodePort && sp.ExternalTrafficPolicy == "" {
		sp.ExternalTrafficPolicy = "Cluster"
	}
	if sp.InternalTrafficPolicy == nil {
		c := "Cluster"
		sp.InternalTrafficPolicy = &c
	}
	if len(sp.ClusterIPs) == 0 && sp.ClusterIP != "" {
		sp.ClusterIPs = []string{sp.ClusterIP}
	}
	if sp.ClusterIP == "" && len(sp.ClusterIPs) > 0 {
		sp.ClusterIP = sp.ClusterIPs[0]
	}
	if len(sp.IPFamilies) == 0 && !s.Headless() {
		sp.IPFamilies = []string{"IPv4"}
	}
	if sp.IPFamilyPolicy == nil {
		single := "SingleStack"
		sp.IPFamilyPolicy = &single
	}
}

// checkService is the API server's ValidateService for what one node
// gives: ClusterIP and NodePort, TCP and UDP, IPv4.
func checkService(s *Service) []error {
	var errs errList
	errs.add(checkServiceMeta(&s.ObjectMeta)...)
	sp := &s.Spec
	switch sp.Type {
	case ServiceTypeClusterIP, ServiceTypeNodePort:
	case ServiceTypeLoadBalancer:
		errs.add(unsupportedWhy("spec.type", sp.Type, "there is no load balancer on one node: use NodePort", ServiceTypeClusterIP, ServiceTypeNodePort))
	case ServiceTypeExternalName:
		errs.add(unsupportedWhy("spec.type", sp.Type, "ExternalName services are names in a cluster's DNS, which one node does not run", ServiceTypeClusterIP, ServiceTypeNodePort))
	default:
		errs.add(unsupported("spec.type", sp.Type, ServiceTypeClusterIP, ServiceTypeExternalName, ServiceTypeLoadBalancer, ServiceTypeNodePort))
	}
	errs.add(checkClusterIP(s)...)
	if len(sp.Ports) == 0 && !s.Headless() {
		errs.add(required("spec.ports", ""))
	}
	errs.add(checkServicePorts(s)...)
	errs.add(checkLabels(sp.Selector, "spec.selector")...)
	errs.add(checkAffinity(sp)...)
	errs.add(checkTrafficPolicies(sp)...)
	for i, f := range sp.IPFamilies {
		if f != "IPv4" {
			errs.add(unsupportedWhy(fmt.Sprintf("spec.ipFamilies[%d]", i), f, "minipod's pod network is IPv4", "IPv4"))
		}
	}
	if p := sp.IPFamilyPolicy; *p != "SingleStack" && *p != "PreferDualStack" {
		errs.add(unsupportedWhy("spec.ipFamilyPolicy", *p, "minipod's pod network is IPv4 only", "SingleStack", "PreferDualStack"))
	}
	return errs
}

func checkServiceMeta(meta *ObjectMeta) []error {
	if meta.Name != "" {
		if why := dns1035Label(meta.Name); why != "" {
			return []error{invalid("metadata.name", meta.Name, why)}
		}
	}
	if meta.Name == KubernetesService && (meta.Namespace == "" || meta.Namespace == "default") {
		return []error{forbidden("metadata.name", "default/kubernetes is the API server's own Service, whose variables (KUBERNETES_SERVICE_HOST, ...) every pod gets; on one node it has no API server behind it and cannot be replaced")}
	}
	return checkObjectMeta(meta, "metadata")
}

// checkClusterIP: "None" (headless), or an IPv4 address the node checks
// against its range when it keeps the Service; clusterIPs agrees.
func checkClusterIP(s *Service) []error {
	sp := &s.Spec
	var errs errList
	if len(sp.ClusterIPs) > 1 {
		errs.add(invalid("spec.clusterIPs", fmt.Sprint(sp.ClusterIPs), "minipod's pod network is IPv4 only: at most one address"))
	}
	if len(sp.ClusterIPs) == 1 && sp.ClusterIPs[0] != sp.ClusterIP {
		errs.add(invalid("spec.clusterIPs", sp.ClusterIPs[0], "must match `spec.clusterIP`"))
	}
	switch ip := sp.ClusterIP; {
	case ip == "" || ip == ClusterIPNone && sp.Type == ServiceTypeClusterIP:
	case ip == ClusterIPNone:
		errs.add(invalid("spec.clusterIPs[0]", ip, "may not be set to 'None' for "+sp.Type+" services"))
	case net.ParseIP(ip) == nil || net.ParseIP(ip).To4() == nil:
		errs.add(invalid("spec.clusterIPs[0]", ip, "must be a valid IPv4 address, (e.g. 10.9.8.7), or \"None\""))
	}
	return errs
}

// checkServicePorts: names (required with several ports, unique), the
// protocol, port, targetPort and nodePort of each, and no port twice.
func checkServicePorts(s *Service) []error {
	var errs errList
	names, seen := map[string]bool{}, map[string]bool{}
	for i, p := range s.Spec.Ports {
		path := fmt.Sprintf("spec.ports[%d]", i)
		switch {
		case p.Name == "" && len(s.Spec.Ports) > 1:
			errs.add(required(path+".name", ""))
		case p.Name != "" && dns1123Label(p.Name) != "":
			errs.add(invalid(path+".name", p.Name, dns1123Label(p.Name)))
		case p.Name != "" && names[p.Name]:
			errs.add(duplicate(path+".name", p.Name))
		}
		names[p.Name] = true
		errs.add(checkServicePort(s, p, path)...)
		key := p.Protocol + "/" + strconv.Itoa(int(p.Port))
		if seen[key] {
			errs.add(duplicate(path, fmt.Sprintf("%d/%s", p.Port, p.Protocol)))
		}
		seen[key] = true
	}
	return errs
}

func checkServicePort(s *Service, p ServicePort, path string) []error {
	var errs errList
	switch p.Protocol {
	case "TCP", "UDP":
	case "SCTP":
		errs.add(unsupportedWhy(path+".protocol", p.Protocol, "minipod's services carry TCP and UDP", "TCP", "UDP"))
	default:
		errs.add(unsupported(path+".protocol", p.Protocol, "SCTP", "TCP", "UDP"))
	}
	if p.Port < 1 || p.Port > 65535 {
		errs.add(invalidRaw(path+".port", strconv.Itoa(int(p.Port)), "must be between 1 and 65535, inclusive"))
	}
	if t := p.TargetPort; t.IsString {
		if why := ianaSvcName(t.Str); why != "" {
			errs.add(invalid(path+".targetPort", t.Str, why))
		}
	} else if t.Int < 1 || t.Int > 65535 {
		errs.add(invalidRaw(path+".targetPort", strconv.Itoa(int(t.Int)), "must be between 1 and 65535, inclusive"))
	}
	if p.NodePort != 0 && s.Spec.Type != ServiceTypeNodePort {
		errs.add(forbidden(path+".nodePort", "may not be used when `type` is '"+s.Spec.Type+"'"))
	}
	if p.NodePort < 0 || p.NodePort > 65535 {
		errs.add(invalidRaw(path+".nodePort", strconv.Itoa(int(p.NodePort)), "must be between 1 and 65535, inclusive"))
	}
	return errs
}

func checkAffinity(sp *ServiceSpec) []error {
	switch sp.SessionAffinity {
	case "None":
		if sp.SessionAffinityConfig != nil {
			return []error{forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None")}
		}
	case "ClientIP":
		if t := *sp.SessionAffinityConfig.ClientIP.TimeoutSeconds; t <= 0 || t > 86400 {
			return []error{invalidRaw("spec.sessionAffinityConfig.clientIP.timeoutSeconds", strconv.Itoa(int(t)), "must be greater than 0 and less than 86400")}
		}
	default:
		return []error{unsupported("spec.sessionAffinity", sp.SessionAffinity, "ClientIP", "None")}
	}
	return nil
}

func checkTrafficPolicies(sp *ServiceSpec) []error {
	var errs errList
	switch e := sp.ExternalTrafficPolicy; {
	case e == "":
	case sp.Type != ServiceTypeNodePort:
		errs.add(invalid("spec.externalTrafficPolicy", e, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
	case e != "Cluster" && e != "Local":
		errs.add(unsupported("spec.externalTrafficPolicy", e, "Cluster", "Local"))
	}
	if i := *sp.InternalTrafficPolicy; i != "Cluster" && i != "Local" {
		errs.add(unsupported("spec.internalTrafficPolicy", i, "Cluster", "Local"))
	}
	return errs
}

// unsupportedWhy is an Unsupported value with minipod's reason.
func unsupportedWhy(path, value, why string, supported ...string) error {
	e := unsupported(path, value, supported...)
	e.Detail += ": " + why
	return e
}
