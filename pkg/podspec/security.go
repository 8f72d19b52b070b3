package podspec

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Security is one container's security settings with the pod's
// securityContext and the container's merged as the kubelet merges them
// (pkg/securitycontext DetermineEffectiveSecurityContext and
// kuberuntime's determineEffectiveSecurityContext).
type Security struct {
	// The container's value where it sets one, else the pod's.
	RunAsUser    *int64
	RunAsGroup   *int64
	RunAsNonRoot bool
	// SeccompProfile: nil when neither sets one (the node's default applies).
	SeccompProfile *SeccompProfile
	// AppArmorProfile: the container's field, else its deprecated
	// annotation, else the pod's field; nil when none asks for one.
	AppArmorProfile *AppArmorProfile

	// Pod-wide. SupplementalGroups is what the kubelet passes the runtime:
	// fsGroup first (when set), then spec.securityContext.
	// supplementalGroups. With the Merge policy the runtime adds the
	// groups the image's /etc/group gives the user; with Strict it does not.
	SupplementalGroups       []int64
	SupplementalGroupsPolicy string // Merge (the default) or Strict
	// FSGroup owns the pod's volumes; FSGroupChangePolicy (Always, the
	// kubelet's behaviour when unset, or OnRootMismatch) says when their
	// ownership is changed.
	FSGroup             *int64
	FSGroupChangePolicy string
	Sysctls             []Sysctl

	// The container's own. A privileged container gets every capability
	// (CapabilitySet) and, as containerd runs it, every device and no
	// seccomp filter or masked paths.
	Privileged               bool
	AllowPrivilegeEscalation *bool
	NoNewPrivileges          bool // allowPrivilegeEscalation: false (AddNoNewPrivileges)
	ReadOnlyRootFilesystem   bool
	ProcMount                string       // Default or Unmasked (hostUsers: false only)
	Capabilities             Capabilities // names normalised: CAP_X or ALL
}

// EffectiveSecurity merges the pod's and the container's securityContext
// for container c of pod p. It copies what it returns: changing the result
// does not change the pod.
func EffectiveSecurity(p *Pod, c *Container) Security {
	psc := p.Spec.SecurityContext
	if psc == nil {
		psc = &PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		csc = &SecurityContext{}
	}
	s := Security{
		RunAsUser:                clonePtr(firstSet(csc.RunAsUser, psc.RunAsUser)),
		RunAsGroup:               clonePtr(firstSet(csc.RunAsGroup, psc.RunAsGroup)),
		RunAsNonRoot:             isTrue(firstSet(csc.RunAsNonRoot, psc.RunAsNonRoot)),
		SeccompProfile:           cloneSeccomp(firstSet(csc.SeccompProfile, psc.SeccompProfile)),
		AppArmorProfile:          cloneAppArmor(effectiveAppArmor(p, c)),
		SupplementalGroupsPolicy: valueOr(psc.SupplementalGroupsPolicy, defaultSupplementalGroupsPolicy),
		FSGroup:                  clonePtr(psc.FSGroup),
		FSGroupChangePolicy:      valueOr(psc.FSGroupChangePolicy, defaultFSGroupChangePolicy),
		Sysctls:                  slices.Clone(psc.Sysctls),
		Privileged:               isTrue(csc.Privileged),
		AllowPrivilegeEscalation: clonePtr(csc.AllowPrivilegeEscalation),
		NoNewPrivileges:          csc.AllowPrivilegeEscalation != nil && !*csc.AllowPrivilegeEscalation,
		ReadOnlyRootFilesystem:   isTrue(csc.ReadOnlyRootFilesystem),
		ProcMount:                valueOr(csc.ProcMount, ProcMountDefault),
		Capabilities:             normalizeCapabilities(csc.Capabilities),
	}
	if psc.FSGroup != nil {
		s.SupplementalGroups = append(s.SupplementalGroups, *psc.FSGroup)
	}
	s.SupplementalGroups = append(s.SupplementalGroups, psc.SupplementalGroups...)
	return s
}

// effectiveAppArmor is the kubelet's choice (apparmor.GetProfile).
func effectiveAppArmor(p *Pod, c *Container) *AppArmorProfile {
	if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
		return c.SecurityContext.AppArmorProfile
	}
	if ap := appArmorFromAnnotation(p.Annotations[AppArmorAnnotationPrefix+c.Name]); ap != nil {
		return ap
	}
	if p.Spec.SecurityContext != nil {
		return p.Spec.SecurityContext.AppArmorProfile
	}
	return nil
}

// CapabilitySet returns the container's capabilities given the runtime's
// default set and all it holds itself: all of those when privileged (as
// containerd grants its own current set), else the default set with
// capabilities.add and .drop applied (Capabilities.Apply). An empty set
// is empty, not nil.
func (s Security) CapabilitySet(defaults, all []string) []string {
	if s.Privileged {
		return append([]string{}, all...)
	}
	return s.Capabilities.Apply(defaults, all)
}

// ErrRunAsNonRoot is what every VerifyRunAsNonRoot error is (errors.Is).
var ErrRunAsNonRoot = errors.New("runAsNonRoot")

// nonRootError is a runAsNonRoot refusal: its text is the kubelet's alone.
type nonRootError struct{ msg string }

func (e nonRootError) Error() string { return e.msg }
func (e nonRootError) Unwrap() error { return ErrRunAsNonRoot }

func nonRoot(format string, a ...any) error { return nonRootError{fmt.Sprintf(format, a...)} }

// VerifyRunAsNonRoot is the kubelet's check before it creates a container
// with runAsNonRoot: true (verifyRunAsNonRoot), given the user the image
// would run as: imageUID is its numeric user (0 when the image names none),
// nil when the image names a user by name only, then given in imageUser.
// The messages are the kubelet's; it ends them with the pod and container,
// which the caller adds.
func (s Security) VerifyRunAsNonRoot(imageUID *int64, imageUser string) error {
	switch {
	case !s.RunAsNonRoot:
		return nil
	case s.RunAsUser != nil && *s.RunAsUser == 0:
		return nonRoot("container's runAsUser breaks non-root policy")
	case s.RunAsUser != nil:
		return nil
	case imageUID == nil && imageUser != "":
		return nonRoot("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root", imageUser)
	case imageUID == nil:
		return nil
	case *imageUID == 0:
		return nonRoot("container has runAsNonRoot and image will run as root")
	case *imageUID < 0 || *imageUID > math.MaxInt32:
		return nonRoot("container has runAsNonRoot and image has an invalid user id (%d). (Must be 1-(%d)): must be between 0 and %d, inclusive",
			*imageUID, math.MaxInt32, math.MaxInt32)
	}
	return nil
}

// firstSet returns the first non-nil pointer.
func firstSet[T any](ptrs ...*T) *T {
	for _, p := range ptrs {
		if p != nil {
			return p
		}
	}
	return nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func valueOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

func cloneSeccomp(sp *SeccompProfile) *SeccompProfile {
	if sp == nil {
		return nil
	}
	return &SeccompProfile{Type: sp.Type, LocalhostProfile: clonePtr(sp.LocalhostProfile)}
}

func cloneAppArmor(ap *AppArmorProfile) *AppArmorProfile {
	if ap == nil {
		return nil
	}
	return &AppArmorProfile{Type: ap.Type, LocalhostProfile: clonePtr(ap.LocalhostProfile)}
}
