package podspec

import "encoding/json"

// TypeMeta is inlined into every object.
type TypeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// ObjectMeta holds the metadata minipod uses. Server-managed fields are
// accepted and dropped, as the API server drops them on create.
type ObjectMeta struct {
	Name              string            `json:"name,omitempty"`
	GenerateName      json.RawMessage   `json:"generateName,omitempty" minipod:"reject"`
	Namespace         string            `json:"namespace,omitempty"`
	UID               string            `json:"uid,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`

	SelfLink                   string           `json:"selfLink,omitempty" minipod:"drop"`
	ResourceVersion            string           `json:"resourceVersion,omitempty" minipod:"drop"`
	Generation                 int64            `json:"generation,omitempty" minipod:"drop"`
	DeletionTimestamp          *string          `json:"deletionTimestamp,omitempty" minipod:"drop"`
	DeletionGracePeriodSeconds *int64           `json:"deletionGracePeriodSeconds,omitempty" minipod:"drop"`
	OwnerReferences            []OwnerReference `json:"ownerReferences,omitempty" minipod:"drop"`
	Finalizers                 []string         `json:"finalizers,omitempty" minipod:"drop"`
	ManagedFields              []any            `json:"managedFields,omitempty" minipod:"drop"`
}

// OwnerReference is typed only so that a malformed one is still an error.
type OwnerReference struct {
	APIVersion         string `json:"apiVersion"`
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         *bool  `json:"controller,omitempty"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty"`
}

// Pod is a v1 Pod. Status is output only: on input it is ignored, as the API
// server ignores it on create.
type Pod struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Spec       PodSpec    `json:"spec"`
	Status     *PodStatus `json:"status,omitempty" minipod:"drop"`
}

// PodSpec lists every v1 PodSpec field; see the package doc for the tags.
type PodSpec struct {
	Volumes                       []Volume              `json:"volumes,omitempty"`
	InitContainers                []Container           `json:"initContainers,omitempty"`
	Containers                    []Container           `json:"containers"`
	EphemeralContainers           json.RawMessage       `json:"ephemeralContainers,omitempty" minipod:"reject,emptyok"`
	RestartPolicy                 string                `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64                `json:"terminationGracePeriodSeconds,omitempty"`
	ActiveDeadlineSeconds         *int64                `json:"activeDeadlineSeconds,omitempty"`
	DNSPolicy                     string                `json:"dnsPolicy,omitempty"`
	Hostname                      string                `json:"hostname,omitempty"`
	Subdomain                     string                `json:"subdomain,omitempty"`
	ShareProcessNamespace         *bool                 `json:"shareProcessNamespace,omitempty"`
	HostNetwork                   bool                  `json:"hostNetwork,omitempty"`
	HostPID                       bool                  `json:"hostPID,omitempty"`
	HostIPC                       bool                  `json:"hostIPC,omitempty"`
	EnableServiceLinks            *bool                 `json:"enableServiceLinks,omitempty"`
	SecurityContext               *PodSecurityContext   `json:"securityContext,omitempty"`
	HostAliases                   []HostAlias           `json:"hostAliases,omitempty"`
	DNSConfig                     *PodDNSConfig         `json:"dnsConfig,omitempty"`
	SetHostnameAsFQDN             *bool                 `json:"setHostnameAsFQDN,omitempty"`
	OS                            *PodOS                `json:"os,omitempty"`
	HostUsers                     *bool                 `json:"hostUsers,omitempty"`
	ResourceClaims                json.RawMessage       `json:"resourceClaims,omitempty" minipod:"reject,emptyok"`
	Resources                     *ResourceRequirements `json:"resources,omitempty"`
	HostnameOverride              json.RawMessage       `json:"hostnameOverride,omitempty" minipod:"reject"`
	SchedulingGates               []PodSchedulingGate   `json:"schedulingGates,omitempty"`
	SchedulingGroup               json.RawMessage       `json:"schedulingGroup,omitempty" minipod:"reject"`
	EvictionResponders            json.RawMessage       `json:"evictionResponders,omitempty" minipod:"reject,emptyok"`

	// Scheduling-only: meaningful for a cluster scheduler, not one node.
	NodeSelector                 map[string]string          `json:"nodeSelector,omitempty" minipod:"warn"`
	NodeName                     string                     `json:"nodeName,omitempty"`
	ServiceAccountName           string                     `json:"serviceAccountName,omitempty"`
	DeprecatedServiceAccount     string                     `json:"serviceAccount,omitempty"`
	AutomountServiceAccountToken *bool                      `json:"automountServiceAccountToken,omitempty" minipod:"warn"`
	ImagePullSecrets             []LocalObjectReference     `json:"imagePullSecrets,omitempty"`
	Affinity                     *Affinity                  `json:"affinity,omitempty" minipod:"warn"`
	SchedulerName                string                     `json:"schedulerName,omitempty" minipod:"warn"`
	Tolerations                  []Toleration               `json:"tolerations,omitempty" minipod:"warn"`
	PriorityClassName            string                     `json:"priorityClassName,omitempty" minipod:"warn"`
	Priority                     *int32                     `json:"priority,omitempty" minipod:"warn"`
	PreemptionPolicy             *string                    `json:"preemptionPolicy,omitempty" minipod:"warn"`
	ReadinessGates               []PodReadinessGate         `json:"readinessGates,omitempty" minipod:"warn"`
	RuntimeClassName             *string                    `json:"runtimeClassName,omitempty" minipod:"warn"`
	Overhead                     map[string]string          `json:"overhead,omitempty" minipod:"warn,quantity"`
	TopologySpreadConstraints    []TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty" minipod:"warn"`
}

// LocalObjectReference names an object in the pod's namespace.
type LocalObjectReference struct {
	Name string `json:"name,omitempty"`
}

// Toleration is typed so that a malformed one is an error, as in Kubernetes.
type Toleration struct {
	Key               string `json:"key,omitempty"`
	Operator          string `json:"operator,omitempty"`
	Value             string `json:"value,omitempty"`
	Effect            string `json:"effect,omitempty"`
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// HostAlias is one line the kubelet appends to the pod's /etc/hosts.
type HostAlias struct {
	IP        string   `json:"ip"`
	Hostnames []string `json:"hostnames,omitempty"`
}

// PodDNSConfig is merged into the resolv.conf that dnsPolicy gives (or is
// all of it, with dnsPolicy None).
type PodDNSConfig struct {
	Nameservers []string             `json:"nameservers,omitempty"`
	Searches    []string             `json:"searches,omitempty"`
	Options     []PodDNSConfigOption `json:"options,omitempty"`
}

// PodDNSConfigOption is one resolv.conf option (ndots, edns0, ...).
type PodDNSConfigOption struct {
	Name  string  `json:"name,omitempty"`
	Value *string `json:"value,omitempty"`
}

// PodOS names the operating system the pod is for: linux here.
type PodOS struct {
	Name string `json:"name"`
}

// PodReadinessGate names an extra pod condition; nothing sets it here.
type PodReadinessGate struct {
	ConditionType string `json:"conditionType"`
}

// AllContainers returns pointers to the init containers, then the app
// containers, in spec order (the order minipod starts them).
func (p *PodSpec) AllContainers() []*Container {
	out := make([]*Container, 0, len(p.InitContainers)+len(p.Containers))
	for i := range p.InitContainers {
		out = append(out, &p.InitContainers[i])
	}
	for i := range p.Containers {
		out = append(out, &p.Containers[i])
	}
	return out
}

// PodSchedulingGate holds a pod back from scheduling while it is there.
type PodSchedulingGate struct {
	Name string `json:"name"`
}

// Affinity is ignored on one node (warned about), but typed all the way
// down and checked as the API server checks it (validate_affinity.go): a
// manifest minipod accepts must be one Kubernetes accepts.
type Affinity struct {
	NodeAffinity    *NodeAffinity `json:"nodeAffinity,omitempty"`
	PodAffinity     *PodAffinity  `json:"podAffinity,omitempty"`
	PodAntiAffinity *PodAffinity  `json:"podAntiAffinity,omitempty"`
}

// NodeAffinity: the nodes a pod must, or would rather, run on.
type NodeAffinity struct {
	Required  *NodeSelector             `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	Preferred []PreferredSchedulingTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// NodeSelector is met by a node that meets any of its terms.
type NodeSelector struct {
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms"`
}

// NodeSelectorTerm is met by a node that meets all of its requirements.
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
	MatchFields      []NodeSelectorRequirement `json:"matchFields,omitempty"`
}

// NodeSelectorRequirement tests one node label (or field).
type NodeSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// PreferredSchedulingTerm is a weighted node preference.
type PreferredSchedulingTerm struct {
	Weight     int32            `json:"weight"`
	Preference NodeSelectorTerm `json:"preference"`
}

// PodAffinity is the shape of podAffinity and podAntiAffinity.
type PodAffinity struct {
	Required  []PodAffinityTerm         `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	Preferred []WeightedPodAffinityTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// PodAffinityTerm selects pods in a topology domain.
type PodAffinityTerm struct {
	LabelSelector     *LabelSelector `json:"labelSelector,omitempty"`
	Namespaces        []string       `json:"namespaces,omitempty"`
	TopologyKey       string         `json:"topologyKey"`
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`
	MatchLabelKeys    []string       `json:"matchLabelKeys,omitempty"`
	MismatchLabelKeys []string       `json:"mismatchLabelKeys,omitempty"`
}

// WeightedPodAffinityTerm is a weighted pod (anti-)affinity preference.
type WeightedPodAffinityTerm struct {
	Weight          int32           `json:"weight"`
	PodAffinityTerm PodAffinityTerm `json:"podAffinityTerm"`
}

// LabelSelector is metav1.LabelSelector.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement tests one label.
type LabelSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// TopologySpreadConstraint is ignored on one node, typed and checked.
type TopologySpreadConstraint struct {
	MaxSkew            int32          `json:"maxSkew"`
	TopologyKey        string         `json:"topologyKey"`
	WhenUnsatisfiable  string         `json:"whenUnsatisfiable"`
	LabelSelector      *LabelSelector `json:"labelSelector,omitempty"`
	MinDomains         *int32         `json:"minDomains,omitempty"`
	NodeAffinityPolicy *string        `json:"nodeAffinityPolicy,omitempty"`
	NodeTaintsPolicy   *string        `json:"nodeTaintsPolicy,omitempty"`
	MatchLabelKeys     []string       `json:"matchLabelKeys,omitempty"`
}
