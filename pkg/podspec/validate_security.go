package podspec

// checkPodSecurity: the pod's seccomp profile, as Kubernetes validates it.
func checkPodSecurity(c *podContext) []error {
	sc := c.pod.Spec.SecurityContext
	if sc == nil {
		return nil
	}
	return checkSeccompProfile(sc.SeccompProfile, "spec.securityContext.seccompProfile")
}

// checkContainerSecurity: the container's seccomp profile. allowPrivilege
// Escalation needs no check here: the settings it conflicts with in
// Kubernetes (privileged, capabilities) are rejected.
func checkContainerSecurity(_ *podContext, ctr *Container, path string) []error {
	if ctr.SecurityContext == nil {
		return nil
	}
	return checkSeccompProfile(ctr.SecurityContext.SeccompProfile, path+".securityContext.seccompProfile")
}

// checkSeccompProfile: a known type; localhostProfile set exactly when the
// type is Localhost, and then a path inside the node's seccomp directory.
func checkSeccompProfile(sp *SeccompProfile, path string) []error {
	if sp == nil {
		return nil
	}
	var errs errList
	switch sp.Type {
	case SeccompLocalhost, SeccompRuntimeDefault, SeccompUnconfined:
	case "":
		errs.add(required(path+".type", "type is required when seccompProfile is set"))
	default:
		errs.add(unsupported(path+".type", sp.Type, SeccompLocalhost, SeccompRuntimeDefault, SeccompUnconfined))
	}
	lp := path + ".localhostProfile"
	switch {
	case sp.Type == SeccompLocalhost && sp.LocalhostProfile == nil:
		errs.add(required(lp, "must be set when seccomp type is Localhost"))
	case sp.Type == SeccompLocalhost:
		if why := localDescendingPath(*sp.LocalhostProfile); why != "" {
			errs.add(invalid(lp, *sp.LocalhostProfile, why))
		}
	case sp.LocalhostProfile != nil:
		errs.add(invalid(lp, *sp.LocalhostProfile, "can only be set when seccomp type is Localhost"))
	}
	return errs
}
