package podspec

import "encoding/json"

// PodSecurityContext is the pod-level securityContext. Only seccompProfile
// is implemented; the rest is rejected by name. The booleans whose false is
// what minipod does anyway are typed, so that false passes; every other
// field is rejected whatever its value (runAsUser: 0 would change the user).
type PodSecurityContext struct {
	SeccompProfile *SeccompProfile `json:"seccompProfile,omitempty"`

	SELinuxOptions           json.RawMessage `json:"seLinuxOptions,omitempty" minipod:"reject"`
	WindowsOptions           json.RawMessage `json:"windowsOptions,omitempty" minipod:"reject"`
	RunAsUser                json.RawMessage `json:"runAsUser,omitempty" minipod:"reject"`
	RunAsGroup               json.RawMessage `json:"runAsGroup,omitempty" minipod:"reject"`
	RunAsNonRoot             *bool           `json:"runAsNonRoot,omitempty" minipod:"reject"`
	SupplementalGroups       json.RawMessage `json:"supplementalGroups,omitempty" minipod:"reject,emptyok"`
	SupplementalGroupsPolicy json.RawMessage `json:"supplementalGroupsPolicy,omitempty" minipod:"reject"`
	FSGroup                  json.RawMessage `json:"fsGroup,omitempty" minipod:"reject"`
	Sysctls                  json.RawMessage `json:"sysctls,omitempty" minipod:"reject,emptyok"`
	FSGroupChangePolicy      json.RawMessage `json:"fsGroupChangePolicy,omitempty" minipod:"reject"`
	AppArmorProfile          json.RawMessage `json:"appArmorProfile,omitempty" minipod:"reject"`
	SELinuxChangePolicy      json.RawMessage `json:"seLinuxChangePolicy,omitempty" minipod:"reject"`
}

// SecurityContext is a container's securityContext: seccompProfile
// (overriding the pod's) and allowPrivilegeEscalation are implemented.
type SecurityContext struct {
	SeccompProfile           *SeccompProfile `json:"seccompProfile,omitempty"`
	AllowPrivilegeEscalation *bool           `json:"allowPrivilegeEscalation,omitempty"`

	Capabilities           json.RawMessage `json:"capabilities,omitempty" minipod:"reject,emptyok"`
	Privileged             *bool           `json:"privileged,omitempty" minipod:"reject"`
	SELinuxOptions         json.RawMessage `json:"seLinuxOptions,omitempty" minipod:"reject"`
	WindowsOptions         json.RawMessage `json:"windowsOptions,omitempty" minipod:"reject"`
	RunAsUser              json.RawMessage `json:"runAsUser,omitempty" minipod:"reject"`
	RunAsGroup             json.RawMessage `json:"runAsGroup,omitempty" minipod:"reject"`
	RunAsNonRoot           *bool           `json:"runAsNonRoot,omitempty" minipod:"reject"`
	ReadOnlyRootFilesystem *bool           `json:"readOnlyRootFilesystem,omitempty" minipod:"reject"`
	ProcMount              json.RawMessage `json:"procMount,omitempty" minipod:"reject"`
	AppArmorProfile        json.RawMessage `json:"appArmorProfile,omitempty" minipod:"reject"`
}

// Seccomp profile types (SeccompProfile.Type).
const (
	SeccompUnconfined     = "Unconfined"
	SeccompRuntimeDefault = "RuntimeDefault"
	SeccompLocalhost      = "Localhost"
)

// SeccompProfile selects a seccomp filter: none, the runtime's default, or
// a profile file relative to the node's seccomp directory (Localhost).
type SeccompProfile struct {
	Type             string  `json:"type"`
	LocalhostProfile *string `json:"localhostProfile,omitempty"`
}
