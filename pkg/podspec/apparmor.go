package podspec

import (
	"fmt"
	"strings"
)

// AppArmor. This node has no AppArmor (and minipod loads no profiles), so
// a Localhost profile is refused by name. RuntimeDefault and Unconfined are
// accepted: Unconfined is what runs anyway, and RuntimeDefault asks for the
// runtime's default profile, which the runtime applies where the kernel has
// AppArmor. (A kubelet on a host without AppArmor refuses a pod that asks
// for a profile other than Unconfined: "Cannot enforce AppArmor: AppArmor
// is not enabled on the host"; that decision belongs to the runtime, which
// knows the host, and EffectiveSecurity tells it what was asked.)
//
// The annotations container.apparmor.security.beta.kubernetes.io/<name>
// are the deprecated form (beta until 1.30). Kubernetes 1.37 still
// validates them on create, copies one into its container's
// securityContext.appArmorProfile when that container sets none (and it
// differs from the pod's profile), warns that it is deprecated, requires
// annotation and field to agree, and the kubelet still reads one when the
// container's field is unset. minipod does the same.

// AppArmorAnnotationPrefix starts the deprecated per-container annotation.
const AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"

// Values of the deprecated annotation.
const (
	appArmorAnnotationRuntimeDefault = "runtime/default"
	appArmorAnnotationUnconfined     = "unconfined"
	appArmorAnnotationLocalhost      = "localhost/"
)

// appArmorFromAnnotation is the field an annotation value stands for; nil
// for "" and for values that are not a profile (ApparmorFieldForAnnotation).
func appArmorFromAnnotation(v string) *AppArmorProfile {
	switch {
	case v == appArmorAnnotationUnconfined:
		return &AppArmorProfile{Type: AppArmorUnconfined}
	case v == appArmorAnnotationRuntimeDefault:
		return &AppArmorProfile{Type: AppArmorRuntimeDefault}
	case strings.HasPrefix(v, appArmorAnnotationLocalhost) && v != appArmorAnnotationLocalhost:
		name := strings.TrimPrefix(v, appArmorAnnotationLocalhost)
		return &AppArmorProfile{Type: AppArmorLocalhost, LocalhostProfile: &name}
	}
	return nil
}

func sameAppArmor(a, b *AppArmorProfile) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && (a.LocalhostProfile == nil) == (b.LocalhostProfile == nil) &&
		(a.LocalhostProfile == nil || *a.LocalhostProfile == *b.LocalhostProfile)
}

// defaultAppArmorFromAnnotations copies each container's annotation into
// its field as the API server does on create (applyAppArmorVersionSkew),
// and returns the deprecation warnings it gives. A Localhost annotation is
// not copied: it is refused by name instead (checkAppArmorAnnotations).
func defaultAppArmorFromAnnotations(p *Pod) []string {
	var warns []string
	var podProfile *AppArmorProfile
	if p.Spec.SecurityContext != nil {
		podProfile = p.Spec.SecurityContext.AppArmorProfile
	}
	for _, c := range p.Spec.AllContainers() {
		key := AppArmorAnnotationPrefix + c.Name
		v, ok := p.Annotations[key]
		if !ok || c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
			continue
		}
		field := appArmorFromAnnotation(v)
		if field != nil && field.Type == AppArmorLocalhost {
			continue
		}
		if field == nil || !sameAppArmor(field, podProfile) {
			warns = append(warns, fmt.Sprintf(`metadata.annotations[%s]: deprecated since v1.30; use the "appArmorProfile" field instead`, key))
		}
		if field != nil && !sameAppArmor(field, podProfile) {
			if c.SecurityContext == nil {
				c.SecurityContext = &SecurityContext{}
			}
			c.SecurityContext.AppArmorProfile = field
		}
	}
	return warns
}

// checkAppArmorProfile validates a profile field as the API server does
// (ValidateAppArmorProfileField), then refuses Localhost.
func checkAppArmorProfile(ap *AppArmorProfile, path string) []error {
	if ap == nil {
		return nil
	}
	var errs errList
	lp := path + ".localhostProfile"
	switch ap.Type {
	case AppArmorLocalhost:
		errs.add(checkAppArmorLocalhost(ap.LocalhostProfile, lp)...)
		if len(errs) == 0 {
			errs.add(rejected(path+".type", `"Localhost": this node has no AppArmor to load a profile into`))
		}
	case AppArmorRuntimeDefault, AppArmorUnconfined:
		if ap.LocalhostProfile != nil {
			errs.add(invalid(lp, *ap.LocalhostProfile, "can only be set when AppArmor type is Localhost"))
		}
	case "":
		errs.add(required(path+".type", "type is required when appArmorProfile is set"))
	default:
		errs.add(unsupported(path+".type", ap.Type, AppArmorLocalhost, AppArmorRuntimeDefault, AppArmorUnconfined))
	}
	return errs
}

func checkAppArmorLocalhost(name *string, path string) []error {
	const maxLen = 4095 // PATH_MAX - 1
	switch {
	case name == nil || *name == "":
		return []error{required(path, "must be set when AppArmor type is Localhost")}
	case strings.TrimSpace(*name) != *name:
		return []error{invalid(path, *name, "must not be padded with whitespace")}
	case strings.TrimSpace(*name) == "":
		return []error{required(path, "must be set when AppArmor type is Localhost")}
	case len(*name) > maxLen:
		return []error{&FieldError{Path: path, Kind: "Too long", Detail: fmt.Sprintf("may not be more than %d bytes", maxLen)}}
	}
	return nil
}
