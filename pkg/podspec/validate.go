package podspec

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// podCheck is one named validation rule over a whole pod. Rules are small
// and independent; every error they return carries its field path.
type podCheck struct {
	name string
	run  func(*podContext) []error
}

// podContext is what the rules need: the pod, the manifest (for ConfigMap
// references) and the pod's volumes by name.
type podContext struct {
	pod     *Pod
	m       *Manifest
	volumes map[string]*Volume
	// hostPorts seen so far, "PROTO/PORT/HOSTIP", for the duplicate check.
	hostPorts map[string]bool
	// sysctls is the node's sysctl allowlist.
	sysctls *SysctlAllowlist
}

var podChecks = []podCheck{
	{"metadata", func(c *podContext) []error { return checkObjectMeta(&c.pod.ObjectMeta, "metadata") }},
	{"uid", checkUID},
	{"restartPolicy", checkRestartPolicy},
	{"terminationGracePeriodSeconds", checkGracePeriod},
	{"dnsPolicy", checkDNSPolicy},
	{"hostAliases", checkHostAliases},
	{"hostname", checkHostnames},
	{"setHostnameAsFQDN", checkSetHostnameAsFQDN},
	{"os", checkPodOS},
	{"containerNames", checkContainerNames},
	{"hostNamespaces", checkHostNamespaces},
	{"securityContext", checkPodSecurity},
	{"appArmorAnnotations", checkAppArmorAnnotations},
	{"scheduling", checkScheduling},
	{"serviceAccountName", checkServiceAccountName},
	{"volumes", checkVolumes},
	{"containers", checkContainers},
	{"resources", checkPodResources},
}

// validate runs every pod rule, the ConfigMap rules and the cross-object
// rules (unique names in one file).
func (m *Manifest) validate(multi bool, opts Options) []error {
	var errs errList
	seen := map[string]bool{}
	for _, p := range m.Pods {
		var perrs errList
		perrs.add(validatePod(p, m, opts)...)
		if seen[p.Namespace+"/"+p.Name] {
			perrs.add(duplicate("metadata.name", p.Name))
		}
		seen[p.Namespace+"/"+p.Name] = true
		errs.add(prefixed(objectPrefix(multi, "Pod", p.Name), perrs)...)
	}
	for _, d := range m.dups {
		errs.add(prefixed(objectPrefix(multi, d.kind, d.name), []error{duplicate("metadata.name", d.name)})...)
	}
	errs.add(m.validateObjects(multi)...)
	return errs
}

// ValidateObjects defaults and checks ConfigMaps and Secrets a command
// made (`create configmap`), as the API server would.
func ValidateObjects(m *Manifest) error {
	for _, s := range m.Secrets {
		defaultSecret(s)
	}
	for _, s := range m.Services {
		defaultService(s)
	}
	errs := errList(m.validateObjects(false))
	if len(errs) == 0 {
		return nil
	}
	return errs.err()
}

func (m *Manifest) validateObjects(multi bool) []error {
	var errs errList
	for _, name := range sortedKeys(m.ConfigMaps) {
		errs.add(prefixed(objectPrefix(multi, "ConfigMap", name), checkConfigMap(m.ConfigMaps[name]))...)
	}
	for _, name := range sortedKeys(m.Secrets) {
		errs.add(prefixed(objectPrefix(multi, "Secret", name), checkSecret(m.Secrets[name]))...)
	}
	for _, name := range sortedKeys(m.Claims) {
		errs.add(prefixed(objectPrefix(multi, "PersistentVolumeClaim", name), checkClaim(m.Claims[name]))...)
	}
	for _, name := range sortedKeys(m.Services) {
		errs.add(prefixed(objectPrefix(multi, "Service", name), checkService(m.Services[name]))...)
	}
	return errs
}

func objectPrefix(multi bool, kind, name string) string {
	if !multi {
		return ""
	}
	return fmt.Sprintf("%s %q", kind, name)
}

func validatePod(p *Pod, m *Manifest, opts Options) []error {
	ctx := &podContext{pod: p, m: m, volumes: map[string]*Volume{}, sysctls: opts.Sysctls}
	for i := range p.Spec.Volumes {
		v := &p.Spec.Volumes[i]
		if _, dup := ctx.volumes[v.Name]; !dup {
			ctx.volumes[v.Name] = v
		}
	}
	var errs errList
	for _, check := range podChecks {
		errs.add(check.run(ctx)...)
	}
	return errs
}

func checkRestartPolicy(c *podContext) []error {
	switch c.pod.Spec.RestartPolicy {
	case "Always", "OnFailure", "Never":
		return nil
	}
	return []error{unsupported("spec.restartPolicy", c.pod.Spec.RestartPolicy, "Always", "OnFailure", "Never")}
}

func checkGracePeriod(c *podContext) []error {
	var errs []error
	if g := c.pod.Spec.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		errs = append(errs, invalid("spec.terminationGracePeriodSeconds", strconv.FormatInt(*g, 10),
			"must be greater than or equal to 0"))
	}
	if d := c.pod.Spec.ActiveDeadlineSeconds; d != nil && (*d < 1 || *d > math.MaxUint32) {
		errs = append(errs, invalidRaw("spec.activeDeadlineSeconds", strconv.FormatInt(*d, 10),
			fmt.Sprintf("must be between 1 and %d, inclusive", uint32(math.MaxUint32))))
	}
	return errs
}

func checkDNSPolicy(c *podContext) []error {
	switch p := c.pod.Spec.DNSPolicy; p {
	case "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None":
		return checkDNSConfig(c.pod.Spec.DNSConfig, p)
	default:
		return []error{unsupported("spec.dnsPolicy", p, "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")}
	}
}

func checkHostnames(c *podContext) []error {
	var errs errList
	if h := c.pod.Spec.Hostname; h != "" {
		if why := dns1123Label(h); why != "" {
			errs.add(invalid("spec.hostname", h, why))
		}
	}
	if s := c.pod.Spec.Subdomain; s != "" {
		if why := dns1123Label(s); why != "" {
			errs.add(invalid("spec.subdomain", s, why))
		}
	}
	return errs
}

// checkContainerNames: at least one app container; names are DNS labels and
// unique across init and app containers (they share one namespace).
func checkContainerNames(c *podContext) []error {
	var errs errList
	if len(c.pod.Spec.Containers) == 0 {
		errs.add(required("spec.containers", ""))
	}
	seen := map[string]bool{}
	forEachContainer(&c.pod.Spec, func(path string, ctr *Container) {
		p := path + ".name"
		switch {
		case ctr.Name == "":
			errs.add(required(p, ""))
		case dns1123Label(ctr.Name) != "":
			errs.add(invalid(p, ctr.Name, dns1123Label(ctr.Name)))
		case seen[ctr.Name]:
			errs.add(duplicate(p, ctr.Name))
		}
		seen[ctr.Name] = true
	})
	return errs
}

// forEachContainer visits init then app containers with their field paths.
func forEachContainer(s *PodSpec, fn func(path string, c *Container)) {
	for i := range s.InitContainers {
		fn(fmt.Sprintf("spec.initContainers[%d]", i), &s.InitContainers[i])
	}
	for i := range s.Containers {
		fn(fmt.Sprintf("spec.containers[%d]", i), &s.Containers[i])
	}
}

// sortedKeys makes map-driven error output deterministic.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// checkPodOS: the API server takes linux and windows; this node runs
// Linux, so a windows pod is refused as a node refuses it.
func checkPodOS(c *podContext) []error {
	os := c.pod.Spec.OS
	switch {
	case os == nil, os.Name == "linux":
		return nil
	case os.Name == "":
		return []error{required("spec.os.name", "")}
	case os.Name == "windows":
		return []error{rejected("spec.os.name", "this node runs Linux")}
	}
	return []error{unsupported("spec.os.name", os.Name, "linux", "windows")}
}

// checkServiceAccountName: the account's name (the downward API gives
// it to containers) is an object name, as the API server requires. There
// are no ServiceAccount objects on one node: any valid name is taken.
func checkServiceAccountName(c *podContext) []error {
	for _, f := range []struct{ path, name string }{
		{"spec.serviceAccountName", c.pod.Spec.ServiceAccountName},
		{"spec.serviceAccount", c.pod.Spec.DeprecatedServiceAccount},
	} {
		if f.name == "" {
			continue
		}
		if why := dns1123Subdomain(f.name); why != "" {
			return []error{invalid(f.path, f.name, why)}
		}
	}
	return nil
}
