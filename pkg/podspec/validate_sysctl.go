package podspec

import "fmt"

// checkSysctls: each sysctl as the API server validates it (validateSysctls,
// ValidateHostSysctl), then as the kubelet admits it (SysctlForbidden): in
// the node's allowlist and in a namespace the pod does not share with the
// host.
func checkSysctls(c *podContext) []error {
	s := &c.pod.Spec
	ns := podNamespaces{hostNet: s.HostNetwork, hostIPC: s.HostIPC, hostUsers: hostUsers(s)}
	var errs errList
	seen := map[string]bool{}
	for i, sc := range s.SecurityContext.Sysctls {
		path := fmt.Sprintf("%s.sysctls[%d].name", securityPath, i)
		var api errList
		switch {
		case sc.Name == "":
			api.add(required(path, ""))
		case sysctlNameError(sc.Name) != "":
			api.add(invalid(path, sc.Name, sysctlNameError(sc.Name)))
		case seen[sc.Name]:
			api.add(duplicate(path, sc.Name))
		}
		seen[sc.Name] = true
		api.add(hostSysctl(sc.Name, s, path))
		errs.add(api...)
		if len(api) > 0 {
			continue
		}
		if err := c.sysctls.admit(sc.Name, ns); err != nil {
			errs.add(forbidden(path, "SysctlForbidden: forbidden sysctl: "+err.Error()))
		}
	}
	return errs
}

// hostSysctl: a namespaced sysctl cannot be set in a namespace the pod
// shares with the host.
func hostSysctl(name string, s *PodSpec, path string) error {
	switch namespaceOfSysctl(normalizeSysctl(name)) {
	case sysctlNet:
		if s.HostNetwork {
			return invalid(path, name, "may not be specified when 'hostNetwork' is true")
		}
	case sysctlIPC:
		if s.HostIPC {
			return invalid(path, name, "may not be specified when 'hostIPC' is true")
		}
	}
	return nil
}
