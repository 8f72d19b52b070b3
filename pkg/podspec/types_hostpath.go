package podspec

// HostPathVolumeSource is a file or directory of the node bound into the
// pod's containers as it is: the host's own files, not a copy.
type HostPathVolumeSource struct {
	// Path is absolute on the node; symbolic links in it are followed, as
	// the kubelet follows them.
	Path string `json:"path"`
	// Type is checked when the pod starts; nil is defaulted to "" (no
	// check), as the API server defaults it.
	Type *string `json:"type,omitempty"`
}

// The hostPath types (v1.HostPathType): what must be, or be made, at Path.
const (
	HostPathUnset             = ""
	HostPathDirectoryOrCreate = "DirectoryOrCreate"
	HostPathDirectory         = "Directory"
	HostPathFileOrCreate      = "FileOrCreate"
	HostPathFile              = "File"
	HostPathSocket            = "Socket"
	HostPathCharDevice        = "CharDevice"
	HostPathBlockDevice       = "BlockDevice"
)

// hostPathTypes are the supported types, sorted as the API server lists
// them in its error.
var hostPathTypes = []string{
	HostPathUnset, HostPathBlockDevice, HostPathCharDevice, HostPathDirectory,
	HostPathDirectoryOrCreate, HostPathFile, HostPathFileOrCreate, HostPathSocket,
}

// TypeOrUnset is the volume's type, "" when none is given.
func (h *HostPathVolumeSource) TypeOrUnset() string {
	if h.Type == nil {
		return HostPathUnset
	}
	return *h.Type
}

// defaultHostPath: SetDefaults_HostPathVolumeSource, so that `get -o yaml`
// shows `type: ""` as Kubernetes does.
func defaultHostPath(h *HostPathVolumeSource) {
	if h.Type == nil {
		unset := HostPathUnset
		h.Type = &unset
	}
}
