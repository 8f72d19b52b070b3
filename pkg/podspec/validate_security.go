package podspec

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// securityPath is the pod-level securityContext's path.
const securityPath = "spec.securityContext"

// checkPodSecurity: the pod's securityContext as the API server validates
// it (validatePodSpecSecurityContext), sysctls as the kubelet admits them.
func checkPodSecurity(c *podContext) []error {
	sc := c.pod.Spec.SecurityContext
	if sc == nil {
		return nil
	}
	var errs errList
	errs.add(checkID(sc.RunAsUser, securityPath+".runAsUser"),
		checkID(sc.RunAsGroup, securityPath+".runAsGroup"),
		checkID(sc.FSGroup, securityPath+".fsGroup"))
	for i := range sc.SupplementalGroups {
		errs.add(checkID(&sc.SupplementalGroups[i], fmt.Sprintf("%s.supplementalGroups[%d]", securityPath, i)))
	}
	errs.add(checkSysctls(c)...)
	errs.add(checkEnum(sc.FSGroupChangePolicy, securityPath+".fsGroupChangePolicy", FSGroupChangeAlways, FSGroupChangeOnRootMismatch))
	errs.add(checkSeccompProfile(sc.SeccompProfile, securityPath+".seccompProfile")...)
	errs.add(checkAppArmorProfile(sc.AppArmorProfile, securityPath+".appArmorProfile")...)
	errs.add(checkEnum(sc.SupplementalGroupsPolicy, securityPath+".supplementalGroupsPolicy",
		SupplementalGroupsPolicyMerge, SupplementalGroupsPolicyStrict))
	errs.add(checkEnum(sc.SELinuxChangePolicy, securityPath+".seLinuxChangePolicy",
		SELinuxChangePolicyMountOption, SELinuxChangePolicyRecursive))
	return errs
}

// checkHostNamespaces: one PID namespace cannot be both the host's and the
// pod's own; a pod in a user namespace shares no other namespace with the
// host (validateShareProcessNamespace, validateHostUsers).
func checkHostNamespaces(c *podContext) []error {
	s := &c.pod.Spec
	var errs errList
	if s.HostPID && s.ShareProcessNamespace != nil && *s.ShareProcessNamespace {
		errs.add(invalidRaw("spec.shareProcessNamespace", "true", "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	if !hostUsers(s) {
		// Allowed only under an alpha gate, off in 1.35
		// (UserNamespacesHostNetworkSupport).
		if s.HostNetwork {
			errs.add(forbidden("spec.hostNetwork", "when `hostUsers` is false"))
		}
		if s.HostPID {
			errs.add(forbidden("spec.HostPID", "when `hostUsers` is false"))
		}
		if s.HostIPC {
			errs.add(forbidden("spec.HostIPC", "when `hostUsers` is false"))
		}
	}
	return errs
}

// hostUsers: unset means the host's user namespace.
func hostUsers(s *PodSpec) bool { return s.HostUsers == nil || *s.HostUsers }

// OwnUserNS tells whether the pod asks for a user namespace of its own
// (hostUsers: false).
func (s *PodSpec) OwnUserNS() bool { return !hostUsers(s) }

// checkID: user and group IDs are 0..2147483647 (IsValidUserID).
func checkID(id *int64, path string) error {
	if id == nil || *id >= 0 && *id <= math.MaxInt32 {
		return nil
	}
	return invalidRaw(path, strconv.FormatInt(*id, 10), fmt.Sprintf("must be between 0 and %d, inclusive", math.MaxInt32))
}

func checkEnum(v *string, path string, supported ...string) error {
	if v == nil || slices.Contains(supported, *v) {
		return nil
	}
	return unsupported(path, *v, supported...)
}

// checkContainerSecurity: a container's securityContext as the API server
// validates it (ValidateSecurityContext), and what minipod cannot apply.
func checkContainerSecurity(c *podContext, ctr *Container, path string) []error {
	sc := ctr.SecurityContext
	if sc == nil {
		return nil
	}
	path += ".securityContext"
	var errs errList
	errs.add(checkID(sc.RunAsUser, path+".runAsUser"), checkID(sc.RunAsGroup, path+".runAsGroup"))
	errs.add(checkProcMount(sc.ProcMount, hostUsers(&c.pod.Spec), path+".procMount"))
	errs.add(checkSeccompProfile(sc.SeccompProfile, path+".seccompProfile")...)
	errs.add(checkPrivilegeEscalation(sc, path)...)
	errs.add(checkCapabilities(sc.Capabilities, path+".capabilities")...)
	errs.add(checkAppArmorProfile(sc.AppArmorProfile, path+".appArmorProfile")...)
	return errs
}

// checkProcMount: Unmasked (no masked or read-only paths in /proc) needs
// the pod's own user namespace.
func checkProcMount(pm *string, hostUsers bool, path string) error {
	switch {
	case pm == nil || *pm == ProcMountDefault:
		return nil
	case *pm != ProcMountUnmasked:
		return unsupported(path, *pm, ProcMountDefault, ProcMountUnmasked)
	case hostUsers:
		return invalid(path, *pm, "`hostUsers` must be false to use `Unmasked`")
	}
	return nil
}

// checkPrivilegeEscalation: no_new_privs cannot hold for a privileged
// container, nor (as the API server decides) with CAP_SYS_ADMIN added,
// written exactly so.
func checkPrivilegeEscalation(sc *SecurityContext, path string) []error {
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		return nil
	}
	var errs errList
	value, _ := json.Marshal(sc)
	if sc.Privileged != nil && *sc.Privileged {
		errs.add(invalidRaw(path, string(value), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
	}
	if sc.Capabilities != nil && slices.Contains(sc.Capabilities.Add, "CAP_SYS_ADMIN") {
		errs.add(invalidRaw(path, string(value), "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
	}
	return errs
}

// checkCapabilities: every name is a Linux capability or ALL. The API
// server takes any string; a runtime ignores (runc) or fails on one it does
// not know, so minipod refuses it up front.
func checkCapabilities(caps *Capabilities, path string) []error {
	if caps == nil {
		return nil
	}
	return append(checkCapabilityNames(caps.Add, path+".add"), checkCapabilityNames(caps.Drop, path+".drop")...)
}

func checkCapabilityNames(names []string, path string) []error {
	var errs errList
	for i, n := range names {
		if _, ok := NormalizeCapability(n); !ok {
			errs.add(invalid(fmt.Sprintf("%s[%d]", path, i), n,
				"not a Linux capability: write one such as NET_ADMIN or CAP_NET_ADMIN, or ALL"))
		}
	}
	return errs
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
