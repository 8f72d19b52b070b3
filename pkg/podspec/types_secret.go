package podspec

import "encoding/json"

// Secret is a v1 Secret. Data is base64 in YAML; StringData is write-only
// plain text the API server merges into Data (it wins) and never stores.
type Secret struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Immutable  *bool             `json:"immutable,omitempty"`
	Data       map[string][]byte `json:"data,omitempty"`
	StringData map[string]string `json:"stringData,omitempty"`
	Type       string            `json:"type,omitempty"`
}

// The Secret types the API server checks the keys of.
const (
	SecretTypeOpaque              = "Opaque"
	SecretTypeServiceAccountToken = "kubernetes.io/service-account-token"
	SecretTypeDockercfg           = "kubernetes.io/dockercfg"
	SecretTypeDockerConfigJSON    = "kubernetes.io/dockerconfigjson"
	SecretTypeBasicAuth           = "kubernetes.io/basic-auth"
	SecretTypeSSHAuth             = "kubernetes.io/ssh-auth"
	SecretTypeTLS                 = "kubernetes.io/tls"
	SecretTypeBootstrapToken      = "bootstrap.kubernetes.io/token"
)

// SecretVolumeSource projects a Secret's keys as files.
type SecretVolumeSource struct {
	SecretName  string          `json:"secretName,omitempty"`
	Items       []KeyToPath     `json:"items,omitempty"`
	DefaultMode *int32          `json:"defaultMode,omitempty"`
	Optional    *bool           `json:"optional,omitempty"`
	DefaultUser json.RawMessage `json:"defaultUser,omitempty" minipod:"reject"`
}

// SecretKeySelector picks one key of a Secret for env.
type SecretKeySelector struct {
	Name     string `json:"name,omitempty"`
	Key      string `json:"key"`
	Optional *bool  `json:"optional,omitempty"`
}

// SecretEnvSource names the Secret for envFrom.
type SecretEnvSource struct {
	Name     string `json:"name,omitempty"`
	Optional *bool  `json:"optional,omitempty"`
}

// PersistentVolumeClaim is a v1 PersistentVolumeClaim: on one node, a
// request for a named local volume that outlives the pods using it.
type PersistentVolumeClaim struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Spec       PersistentVolumeClaimSpec `json:"spec"`
	Status     json.RawMessage           `json:"status,omitempty" minipod:"drop"`
}

// PersistentVolumeClaimSpec is what the claim asks for. Selectors, data
// sources and a fixed volumeName need a cluster's volumes: refused.
type PersistentVolumeClaimSpec struct {
	AccessModes               []string                   `json:"accessModes,omitempty"`
	Resources                 VolumeResourceRequirements `json:"resources,omitempty"`
	StorageClassName          *string                    `json:"storageClassName,omitempty"`
	VolumeMode                *string                    `json:"volumeMode,omitempty"`
	VolumeAttributesClassName *string                    `json:"volumeAttributesClassName,omitempty" minipod:"warn"`
	Selector                  json.RawMessage            `json:"selector,omitempty" minipod:"reject"`
	VolumeName                json.RawMessage            `json:"volumeName,omitempty" minipod:"reject"`
	DataSource                json.RawMessage            `json:"dataSource,omitempty" minipod:"reject"`
	DataSourceRef             json.RawMessage            `json:"dataSourceRef,omitempty" minipod:"reject"`
}

// VolumeResourceRequirements is the claim's storage request (and limit).
type VolumeResourceRequirements struct {
	Requests map[string]string `json:"requests,omitempty" minipod:"quantity"`
	Limits   map[string]string `json:"limits,omitempty" minipod:"quantity"`
}

// PersistentVolumeClaimVolumeSource mounts a claim's volume.
type PersistentVolumeClaimVolumeSource struct {
	ClaimName string `json:"claimName"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}
