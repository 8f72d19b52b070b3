package podspec

import "encoding/json"

// Volume is a v1 Volume with its VolumeSource inlined, as in the API. The
// sources a node can give are typed; every other source is named so that
// it is rejected by name rather than reported as an unknown field.
type Volume struct {
	Name      string                 `json:"name"`
	EmptyDir  *EmptyDirVolumeSource  `json:"emptyDir,omitempty"`
	ConfigMap *ConfigMapVolumeSource `json:"configMap,omitempty"`

	HostPath              *HostPathVolumeSource              `json:"hostPath,omitempty"`
	GCEPersistentDisk     json.RawMessage                    `json:"gcePersistentDisk,omitempty" minipod:"reject"`
	AWSElasticBlockStore  json.RawMessage                    `json:"awsElasticBlockStore,omitempty" minipod:"reject"`
	GitRepo               json.RawMessage                    `json:"gitRepo,omitempty" minipod:"reject"`
	Secret                *SecretVolumeSource                `json:"secret,omitempty"`
	NFS                   json.RawMessage                    `json:"nfs,omitempty" minipod:"reject"`
	ISCSI                 json.RawMessage                    `json:"iscsi,omitempty" minipod:"reject"`
	Glusterfs             json.RawMessage                    `json:"glusterfs,omitempty" minipod:"reject"`
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	RBD                   json.RawMessage                    `json:"rbd,omitempty" minipod:"reject"`
	FlexVolume            json.RawMessage                    `json:"flexVolume,omitempty" minipod:"reject"`
	Cinder                json.RawMessage                    `json:"cinder,omitempty" minipod:"reject"`
	CephFS                json.RawMessage                    `json:"cephfs,omitempty" minipod:"reject"`
	Flocker               json.RawMessage                    `json:"flocker,omitempty" minipod:"reject"`
	DownwardAPI           *DownwardAPIVolumeSource           `json:"downwardAPI,omitempty"`
	FC                    json.RawMessage                    `json:"fc,omitempty" minipod:"reject"`
	AzureFile             json.RawMessage                    `json:"azureFile,omitempty" minipod:"reject"`
	VsphereVolume         json.RawMessage                    `json:"vsphereVolume,omitempty" minipod:"reject"`
	Quobyte               json.RawMessage                    `json:"quobyte,omitempty" minipod:"reject"`
	AzureDisk             json.RawMessage                    `json:"azureDisk,omitempty" minipod:"reject"`
	PhotonPersistentDisk  json.RawMessage                    `json:"photonPersistentDisk,omitempty" minipod:"reject"`
	Projected             *ProjectedVolumeSource             `json:"projected,omitempty"`
	PortworxVolume        json.RawMessage                    `json:"portworxVolume,omitempty" minipod:"reject"`
	ScaleIO               json.RawMessage                    `json:"scaleIO,omitempty" minipod:"reject"`
	StorageOS             json.RawMessage                    `json:"storageos,omitempty" minipod:"reject"`
	CSI                   json.RawMessage                    `json:"csi,omitempty" minipod:"reject"`
	Ephemeral             json.RawMessage                    `json:"ephemeral,omitempty" minipod:"reject"`
	Image                 *ImageVolumeSource                 `json:"image,omitempty"`
}

// ImageVolumeSource mounts an OCI image's files, read-only, as a volume
// (KEP-4639): pulled by the node as containers' images are, with the same
// pull policies.
type ImageVolumeSource struct {
	Reference  string `json:"reference,omitempty"`
	PullPolicy string `json:"pullPolicy,omitempty"`
}

// EmptyDirVolumeSource is a per-pod scratch directory (or tmpfs for Memory).
// SizeLimit is a Kubernetes quantity string; see QuantityBytes.
type EmptyDirVolumeSource struct {
	Medium    string `json:"medium,omitempty"`
	SizeLimit string `json:"sizeLimit,omitempty" minipod:"quantity"`
	// Mode is the directory's permission bits, 0 to 01777 (the sticky bit
	// included); 0777 when not given (KEP-5502).
	Mode *int32 `json:"mode,omitempty"`
}

// ConfigMapVolumeSource projects ConfigMap keys as files.
type ConfigMapVolumeSource struct {
	Name        string          `json:"name,omitempty"`
	Items       []KeyToPath     `json:"items,omitempty"`
	DefaultMode *int32          `json:"defaultMode,omitempty"`
	Optional    *bool           `json:"optional,omitempty"`
	DefaultUser json.RawMessage `json:"defaultUser,omitempty" minipod:"reject"`
}

// KeyToPath maps one key to a relative file path inside the volume.
type KeyToPath struct {
	Key  string          `json:"key"`
	Path string          `json:"path"`
	Mode *int32          `json:"mode,omitempty"`
	User json.RawMessage `json:"user,omitempty" minipod:"reject"`
}

// ConfigMap is a v1 ConfigMap given as another document of the manifest.
type ConfigMap struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Immutable  *bool             `json:"immutable,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
	BinaryData map[string][]byte `json:"binaryData,omitempty"`
}
