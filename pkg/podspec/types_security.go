package podspec

import "encoding/json"

// PodSecurityContext is the pod-level securityContext. The user and group
// fields apply to every container that does not set its own (see
// EffectiveSecurity); the group, sysctl and fsGroup fields are pod-wide.
// SELinux is refused unless empty: this node has none. Windows options are
// for Windows nodes. The SELinux relabelling policy is accepted with a
// warning: with no SELinux there is nothing to relabel, as on any node
// without it.
type PodSecurityContext struct {
	RunAsUser                *int64           `json:"runAsUser,omitempty"`
	RunAsGroup               *int64           `json:"runAsGroup,omitempty"`
	RunAsNonRoot             *bool            `json:"runAsNonRoot,omitempty"`
	SupplementalGroups       []int64          `json:"supplementalGroups,omitempty"`
	SupplementalGroupsPolicy *string          `json:"supplementalGroupsPolicy,omitempty"`
	FSGroup                  *int64           `json:"fsGroup,omitempty"`
	FSGroupChangePolicy      *string          `json:"fsGroupChangePolicy,omitempty"`
	Sysctls                  []Sysctl         `json:"sysctls,omitempty"`
	SeccompProfile           *SeccompProfile  `json:"seccompProfile,omitempty"`
	AppArmorProfile          *AppArmorProfile `json:"appArmorProfile,omitempty"`
	SELinuxChangePolicy      *string          `json:"seLinuxChangePolicy,omitempty" minipod:"warn"`

	SELinuxOptions json.RawMessage `json:"seLinuxOptions,omitempty" minipod:"reject,emptyok" why:"this node has no SELinux"`
	WindowsOptions json.RawMessage `json:"windowsOptions,omitempty" minipod:"reject" why:"Windows only"`
}

// SecurityContext is a container's securityContext. Where it and the pod's
// both set a field, the container's wins (EffectiveSecurity).
type SecurityContext struct {
	Capabilities             *Capabilities    `json:"capabilities,omitempty"`
	Privileged               *bool            `json:"privileged,omitempty"`
	RunAsUser                *int64           `json:"runAsUser,omitempty"`
	RunAsGroup               *int64           `json:"runAsGroup,omitempty"`
	RunAsNonRoot             *bool            `json:"runAsNonRoot,omitempty"`
	ReadOnlyRootFilesystem   *bool            `json:"readOnlyRootFilesystem,omitempty"`
	AllowPrivilegeEscalation *bool            `json:"allowPrivilegeEscalation,omitempty"`
	ProcMount                *string          `json:"procMount,omitempty"`
	SeccompProfile           *SeccompProfile  `json:"seccompProfile,omitempty"`
	AppArmorProfile          *AppArmorProfile `json:"appArmorProfile,omitempty"`

	SELinuxOptions json.RawMessage `json:"seLinuxOptions,omitempty" minipod:"reject,emptyok" why:"this node has no SELinux"`
	WindowsOptions json.RawMessage `json:"windowsOptions,omitempty" minipod:"reject" why:"Windows only"`
}

// Capabilities adds to and drops from the runtime's default set. Names are
// written with or without "CAP_", or "ALL"; see NormalizeCapability.
type Capabilities struct {
	Add  []string `json:"add,omitempty"`
	Drop []string `json:"drop,omitempty"`
}

// Sysctl is one namespaced kernel parameter set for the whole pod.
type Sysctl struct {
	Name  string `json:"name"`
	Value string `json:"value"`
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

// AppArmor profile types (AppArmorProfile.Type).
const (
	AppArmorUnconfined     = "Unconfined"
	AppArmorRuntimeDefault = "RuntimeDefault"
	AppArmorLocalhost      = "Localhost"
)

// AppArmorProfile selects an AppArmor profile. minipod accepts
// RuntimeDefault and Unconfined and refuses Localhost: it loads no AppArmor
// profiles (see apparmor.go).
type AppArmorProfile struct {
	Type             string  `json:"type"`
	LocalhostProfile *string `json:"localhostProfile,omitempty"`
}

// Values of the enumerated securityContext strings.
const (
	ProcMountDefault                = "Default"
	ProcMountUnmasked               = "Unmasked"
	SupplementalGroupsPolicyMerge   = "Merge"
	SupplementalGroupsPolicyStrict  = "Strict"
	FSGroupChangeAlways             = "Always"
	FSGroupChangeOnRootMismatch     = "OnRootMismatch"
	SELinuxChangePolicyMountOption  = "MountOption"
	SELinuxChangePolicyRecursive    = "Recursive"
	defaultSupplementalGroupsPolicy = SupplementalGroupsPolicyMerge
	defaultFSGroupChangePolicy      = FSGroupChangeAlways
)
