package podspec

import (
	"fmt"
	"strings"
)

// The warnings below are those the API server gives when it creates a pod
// (kubectl prints them as "Warning: ..."), for what a manifest minipod
// accepts can hold: annotations that stopped working, variables and port
// definitions that shadow one another, paths of one volume that collide,
// duplicate host aliases and pull secrets, selectors that match nothing.
// They are computed on the defaulted pod, as there, and change nothing.

// deprecatedAnnotations are annotations that long stopped doing anything,
// with what replaced them.
var deprecatedAnnotations = []struct{ key, message string }{
	{"scheduler.alpha.kubernetes.io/critical-pod", `non-functional in v1.16+; use the "priorityClassName" field instead`},
	{"security.alpha.kubernetes.io/sysctls", `non-functional in v1.11+; use the "sysctls" field instead`},
	{"security.alpha.kubernetes.io/unsafe-sysctls", `non-functional in v1.11+; use the "sysctls" field instead`},
}

// The seccomp annotations of before the seccompProfile fields.
const (
	seccompPodAnnotation       = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerAnnotation = "container.seccomp.security.alpha.kubernetes.io/"
	seccompAnnotationMessage   = `non-functional in v1.27+; use the "seccompProfile" field instead`
)

// apiWarnings are the API server's warnings for pod p, in its order.
func apiWarnings(p *Pod) []string {
	w := nodeLabelWarnings(&p.Spec)
	w = append(w, spreadWarnings(&p.Spec)...)
	w = append(w, deprecatedAnnotationWarnings(p)...)
	w = append(w, volumePathWarnings(p.Spec.Volumes)...)
	w = append(w, hostAliasWarnings(p.Spec.HostAliases)...)
	w = append(w, pullSecretWarnings(p.Spec.ImagePullSecrets)...)
	w = append(w, fractionalBytes("spec.overhead", p.Spec.Overhead)...)
	w = append(w, podSeccompWarnings(p)...)
	forEachContainer(&p.Spec, func(path string, c *Container) {
		w = append(w, containerSeccompWarnings(p, c)...)
		if r := c.Resources; r != nil {
			w = append(w, fractionalBytes(path+".resources.limits", r.Limits)...)
			w = append(w, fractionalBytes(path+".resources.requests", r.Requests)...)
		}
		w = append(w, envWarnings(path, c.Env)...)
	})
	w = append(w, portWarnings(&p.Spec)...)
	return append(w, affinitySelectorWarnings(&p.Spec)...)
}

func annotationKey(key string) string { return "metadata.annotations[" + key + "]" }

// deprecatedAnnotationWarnings: annotations that do nothing any more.
func deprecatedAnnotationWarnings(p *Pod) []string {
	var w []string
	for _, d := range deprecatedAnnotations {
		if _, ok := p.Annotations[d.key]; ok {
			w = append(w, annotationKey(d.key)+": "+d.message)
		}
	}
	return w
}

// podSeccompWarnings and containerSeccompWarnings: the seccomp
// annotations, where no seccompProfile field says the same.
func podSeccompWarnings(p *Pod) []string {
	if sc := p.Spec.SecurityContext; sc != nil && sc.SeccompProfile != nil {
		return nil
	}
	if _, ok := p.Annotations[seccompPodAnnotation]; !ok {
		return nil
	}
	return []string{annotationKey(seccompPodAnnotation) + ": " + seccompAnnotationMessage}
}

func containerSeccompWarnings(p *Pod, c *Container) []string {
	key := seccompContainerAnnotation + c.Name
	if _, ok := p.Annotations[key]; !ok || c.SecurityContext != nil && c.SecurityContext.SeccompProfile != nil {
		return nil
	}
	return []string{annotationKey(key) + ": " + seccompAnnotationMessage}
}

// fractionalBytes: memory and ephemeral-storage in fractions of a byte,
// which the node rounds up.
func fractionalBytes(path string, list map[string]string) []string {
	var w []string
	for _, name := range []string{"memory", "ephemeral-storage"} {
		v, ok := list[name]
		if !ok {
			continue
		}
		if q, err := parseResource(v); err == nil && q.milli()%1000 != 0 {
			w = append(w, fmt.Sprintf("%s[%s]: fractional byte value %q is invalid, must be an integer", path, name, q.String()))
		}
	}
	return w
}

// envWarnings: a variable defined again where the new definition drops
// the earlier one (a valueFrom, or a value not built on $(NAME), or only
// $(NAME)): `kubectl apply` may lose one of the two.
func envWarnings(path string, env []EnvVar) []string {
	var w []string
	seen := map[string]bool{}
	for i, e := range env {
		if !seen[e.Name] {
			seen[e.Name] = true
			continue
		}
		ref := "$(" + e.Name + ")"
		if e.ValueFrom != nil || e.Value == ref || !strings.Contains(e.Value, ref) {
			w = append(w, fmt.Sprintf("%s.env[%d]: hides previous definition of %q, which may be dropped when using apply", path, i, e.Name))
		}
	}
	return w
}

func hostAliasWarnings(aliases []HostAlias) []string {
	return duplicateWarnings(len(aliases), func(i int) string { return aliases[i].IP }, "spec.hostAliases[%d].ip: duplicate ip %q")
}

func pullSecretWarnings(refs []LocalObjectReference) []string {
	w := duplicateWarnings(len(refs), func(i int) string { return refs[i].Name }, "spec.imagePullSecrets[%d].name: duplicate name %q")
	for i, r := range refs {
		if r.Name == "" {
			w = append(w, fmt.Sprintf("spec.imagePullSecrets[%d].name: invalid empty name %q", i, r.Name))
		}
	}
	return w
}

// duplicateWarnings words, by format (index, key), each of n entries
// whose key an earlier entry had.
func duplicateWarnings(n int, key func(int) string, format string) []string {
	var w []string
	seen := map[string]bool{}
	for i := range n {
		k := key(i)
		if seen[k] {
			w = append(w, fmt.Sprintf(format, i, k))
		}
		seen[k] = true
	}
	return w
}

// portWarnings: a hostIP without a hostPort, and container ports of the
// pod (all containers together) declared twice for one port and
// protocol: the same, one without a hostPort, or one with a hostIP and
// one without for the same hostPort.
func portWarnings(s *PodSpec) []string {
	type declared struct {
		path string
		port ContainerPort
	}
	var w []string
	byPort := map[string][]declared{}
	forEachContainer(s, func(path string, c *Container) {
		for i, p := range c.Ports {
			at := fmt.Sprintf("%s.ports[%d]", path, i)
			if p.HostIP != "" && p.HostPort == 0 {
				w = append(w, fmt.Sprintf("%s: hostIP set without hostPort: %+v", at, p))
			}
			key := fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol)
			for _, o := range byPort[key] {
				w = append(w, portClash(at, p, o.path, o.port)...)
			}
			byPort[key] = append(byPort[key], declared{at, p})
		}
	})
	return w
}

func portClash(at string, p ContainerPort, otherAt string, o ContainerPort) []string {
	noIP, otherNoIP := p.HostIP == "", o.HostIP == ""
	switch {
	case p.HostIP == o.HostIP && p.HostPort == o.HostPort:
		return []string{fmt.Sprintf("%s: duplicate port definition with %s", at, otherAt)}
	case p.HostPort == 0 || o.HostPort == 0:
		return []string{fmt.Sprintf("%s: overlapping port definition with %s", at, otherAt)}
	case p.HostPort == o.HostPort && noIP != otherNoIP:
		return []string{fmt.Sprintf("%s: dangerously ambiguous port definition with %s", at, otherAt)}
	}
	return nil
}

// spreadWarnings and affinitySelectorWarnings: a topology spread
// constraint or pod (anti-)affinity term without a labelSelector matches
// no pod.
const nullSelector = ": a null labelSelector results in matching no pod"

// spreadWarnings also names a topologyKey that is a deprecated node label.
func spreadWarnings(s *PodSpec) []string {
	var w []string
	for i, t := range s.TopologySpreadConstraints {
		if msg, ok := deprecatedNodeLabels[t.TopologyKey]; ok {
			w = append(w, fmt.Sprintf("spec.topologySpreadConstraints[%d].topologyKey: %s is %s", i, t.TopologyKey, msg))
		}
		if t.LabelSelector == nil {
			w = append(w, fmt.Sprintf("spec.topologySpreadConstraints[%d].labelSelector", i)+nullSelector)
		}
	}
	return w
}

func affinitySelectorWarnings(s *PodSpec) []string {
	if s.Affinity == nil {
		return nil
	}
	var w []string
	for _, kind := range []struct {
		name string
		a    *PodAffinity
	}{{"podAffinity", s.Affinity.PodAffinity}, {"podAntiAffinity", s.Affinity.PodAntiAffinity}} {
		if kind.a == nil {
			continue
		}
		base := "spec.affinity." + kind.name
		for i, t := range kind.a.Required {
			if t.LabelSelector == nil {
				w = append(w, fmt.Sprintf("%s.requiredDuringSchedulingIgnoredDuringExecution[%d].labelSelector", base, i)+nullSelector)
			}
		}
		for i, t := range kind.a.Preferred {
			if t.PodAffinityTerm.LabelSelector == nil {
				w = append(w, fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d].podAffinityTerm.labelSelector", base, i)+nullSelector)
			}
		}
	}
	return w
}
