package podspec

import "strings"

// Defaults as kubernetes/pkg/apis/core/v1/defaults.go (and the API server
// for namespace) set them, so `get -o yaml` shows what Kubernetes would.
const (
	DefaultNamespace                     = "default"
	DefaultTerminationGracePeriodSeconds = int64(30)
	DefaultTerminationMessagePath        = "/dev/termination-log"
	DefaultConfigMapMode                 = int32(0o644)
	DefaultServiceAccount                = "default"
)

func defaultObjectMeta(meta *ObjectMeta) {
	if meta.Namespace == "" {
		meta.Namespace = DefaultNamespace
	}
}

// defaultPod leaves metadata.uid alone: as in Kubernetes, the UID is not a
// default but given on create (AssignUIDs), and a stored pod keeps its own.
// It returns the warnings the API server gives while defaulting.
func defaultPod(p *Pod) []string {
	defaultObjectMeta(&p.ObjectMeta)
	defaultPodSpec(&p.Spec)
	for _, c := range p.Spec.AllContainers() {
		defaultContainer(c)
		defaultContainerRequests(c)
		if p.Spec.HostNetwork {
			defaultHostPorts(c)
		}
	}
	defaultPodLevelResources(&p.Spec)
	for i := range p.Spec.Volumes {
		defaultVolume(&p.Spec.Volumes[i])
	}
	return defaultAppArmorFromAnnotations(p)
}

func defaultPodSpec(s *PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = "Always"
	}
	if s.TerminationGracePeriodSeconds == nil {
		grace := DefaultTerminationGracePeriodSeconds
		s.TerminationGracePeriodSeconds = &grace
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = "ClusterFirst"
	}
	if s.SchedulerName == "" {
		s.SchedulerName = "default-scheduler"
	}
	if s.EnableServiceLinks == nil {
		enable := true
		s.EnableServiceLinks = &enable
	}
	if s.SecurityContext == nil {
		s.SecurityContext = &PodSecurityContext{}
	}
	defaultServiceAccount(s)
}

// defaultServiceAccount names the pod's service account as the API server
// does: the deprecated serviceAccount alias when only it is given, else
// the namespace's "default" (the ServiceAccount admission plugin), and
// the alias always the same as the name. The downward API's
// spec.serviceAccountName reads it.
func defaultServiceAccount(s *PodSpec) {
	if s.ServiceAccountName == "" {
		s.ServiceAccountName = s.DeprecatedServiceAccount
	}
	if s.ServiceAccountName == "" {
		s.ServiceAccountName = DefaultServiceAccount
	}
	s.DeprecatedServiceAccount = s.ServiceAccountName
}

// defaultHostPorts: with hostNetwork a containerPort is on the node
// already, so Kubernetes defaults hostPort to it.
func defaultHostPorts(c *Container) {
	for i := range c.Ports {
		if c.Ports[i].HostPort == 0 {
			c.Ports[i].HostPort = c.Ports[i].ContainerPort
		}
	}
}

func defaultContainer(c *Container) {
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = defaultPullPolicy(c.Image)
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = DefaultTerminationMessagePath
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = "File"
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = "TCP"
		}
	}
	for _, p := range []*Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		defaultProbe(p)
	}
	if lc := c.Lifecycle; lc != nil {
		for _, h := range []*LifecycleHandler{lc.PostStart, lc.PreStop} {
			if h != nil && h.HTTPGet != nil {
				defaultProbe(&Probe{HTTPGet: h.HTTPGet})
			}
		}
	}
	for i := range c.Env {
		if ref := c.Env[i].ValueFrom; ref != nil && ref.FieldRef != nil && ref.FieldRef.APIVersion == "" {
			ref.FieldRef.APIVersion = "v1"
		}
	}
}

// defaultPullPolicy: Always for ":latest" or no tag, IfNotPresent for any
// other tag or a digest (an untagged digest never changes, so never re-pull).
func defaultPullPolicy(image string) string {
	name, _, hasDigest := strings.Cut(image, "@")
	tag := ""
	if colon := strings.LastIndex(name, ":"); colon > strings.LastIndex(name, "/") {
		tag = name[colon+1:]
	}
	if tag == "latest" || (tag == "" && !hasDigest) {
		return "Always"
	}
	return "IfNotPresent"
}

// defaultVolume gives a source-less volume emptyDir {}, and file modes
// (0644) to the sources that make files.
func defaultVolume(v *Volume) {
	if len(volumeSources(v)) == 0 {
		v.EmptyDir = &EmptyDirVolumeSource{}
	}
	if v.ConfigMap != nil && v.ConfigMap.DefaultMode == nil {
		mode := DefaultConfigMapMode
		v.ConfigMap.DefaultMode = &mode
	}
	if v.Secret != nil && v.Secret.DefaultMode == nil {
		mode := DefaultConfigMapMode // the API server's SecretVolumeSourceDefaultMode is 0644 too
		v.Secret.DefaultMode = &mode
	}
	defaultProjections(v)
	if v.HostPath != nil {
		defaultHostPath(v.HostPath)
	}
	if v.Image != nil && v.Image.PullPolicy == "" {
		v.Image.PullPolicy = defaultPullPolicy(v.Image.Reference)
	}
}

// defaultProbe: the API server's probe defaults (SetDefaults_Probe and
// SetDefaults_HTTPGetAction).
func defaultProbe(p *Probe) {
	if p == nil {
		return
	}
	for _, f := range []struct {
		v   *int32
		def int32
	}{{&p.TimeoutSeconds, 1}, {&p.PeriodSeconds, 10}, {&p.SuccessThreshold, 1}, {&p.FailureThreshold, 3}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if h := p.HTTPGet; h != nil {
		if h.Path == "" {
			h.Path = "/"
		}
		if h.Scheme == "" {
			h.Scheme = "HTTP"
		}
	}
}
