package podspec

import "encoding/json"

// DownwardAPIVolumeSource writes fields of the pod and resources of its
// containers as files.
type DownwardAPIVolumeSource struct {
	Items       []DownwardAPIVolumeFile `json:"items,omitempty"`
	DefaultMode *int32                  `json:"defaultMode,omitempty"`
	DefaultUser json.RawMessage         `json:"defaultUser,omitempty" minipod:"reject"`
}

// DownwardAPIVolumeFile is one file: a pod field (fieldRef) or a
// container's request or limit (resourceFieldRef).
type DownwardAPIVolumeFile struct {
	Path             string                 `json:"path"`
	FieldRef         *ObjectFieldSelector   `json:"fieldRef,omitempty"`
	ResourceFieldRef *ResourceFieldSelector `json:"resourceFieldRef,omitempty"`
	Mode             *int32                 `json:"mode,omitempty"`
	User             json.RawMessage        `json:"user,omitempty" minipod:"reject"`
}

// ProjectedVolumeSource puts the files of several sources in one volume.
type ProjectedVolumeSource struct {
	Sources     []VolumeProjection `json:"sources"`
	DefaultMode *int32             `json:"defaultMode,omitempty"`
	DefaultUser json.RawMessage    `json:"defaultUser,omitempty" minipod:"reject"`
}

// VolumeProjection is one source of a projected volume. The sources that
// an API server issues (tokens, trust bundles, certificates) are named
// so that they are refused by name.
type VolumeProjection struct {
	Secret              *SecretProjection      `json:"secret,omitempty"`
	DownwardAPI         *DownwardAPIProjection `json:"downwardAPI,omitempty"`
	ConfigMap           *ConfigMapProjection   `json:"configMap,omitempty"`
	ServiceAccountToken json.RawMessage        `json:"serviceAccountToken,omitempty" minipod:"reject" why:"a service account token is issued by an API server for a service account; one node has neither"`
	ClusterTrustBundle  json.RawMessage        `json:"clusterTrustBundle,omitempty" minipod:"reject" why:"ClusterTrustBundles are cluster objects kept by an API server, which one node does not have"`
	PodCertificate      json.RawMessage        `json:"podCertificate,omitempty" minipod:"reject" why:"pod certificates are issued through an API server's PodCertificateRequests, which one node does not have"`
}

// SecretProjection is a Secret's keys as files of a projected volume
// (named by name, not secretName, and without a mode of its own).
type SecretProjection struct {
	Name     string      `json:"name,omitempty"`
	Items    []KeyToPath `json:"items,omitempty"`
	Optional *bool       `json:"optional,omitempty"`
}

// ConfigMapProjection is a ConfigMap's keys as files of a projected
// volume.
type ConfigMapProjection struct {
	Name     string      `json:"name,omitempty"`
	Items    []KeyToPath `json:"items,omitempty"`
	Optional *bool       `json:"optional,omitempty"`
}

// DownwardAPIProjection is downwardAPI items in a projected volume.
type DownwardAPIProjection struct {
	Items []DownwardAPIVolumeFile `json:"items,omitempty"`
}

// DefaultDownwardAPIMode is the API server's DownwardAPIVolumeSourceDefaultMode
// and ProjectedVolumeSourceDefaultMode.
const DefaultDownwardAPIMode = int32(0o644)

// defaultProjections: the file mode of both sources, and the fieldRef
// apiVersion of their items (v1, as for env).
func defaultProjections(v *Volume) {
	if d := v.DownwardAPI; d != nil {
		d.DefaultMode = modeOrDefault(d.DefaultMode)
		defaultFieldRefs(d.Items)
	}
	if p := v.Projected; p != nil {
		p.DefaultMode = modeOrDefault(p.DefaultMode)
		for _, s := range p.Sources {
			if s.DownwardAPI != nil {
				defaultFieldRefs(s.DownwardAPI.Items)
			}
		}
	}
}

func modeOrDefault(mode *int32) *int32 {
	if mode != nil {
		return mode
	}
	m := DefaultDownwardAPIMode
	return &m
}

func defaultFieldRefs(items []DownwardAPIVolumeFile) {
	for _, it := range items {
		if it.FieldRef != nil && it.FieldRef.APIVersion == "" {
			it.FieldRef.APIVersion = "v1"
		}
	}
}
