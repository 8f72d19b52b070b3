package podspec

import (
	"fmt"
	"strings"
)

// checkAppArmorAnnotations: each deprecated AppArmor annotation names a
// container of the pod and a profile (ValidateAppArmorPodAnnotations);
// minipod refuses localhost/ profiles as it refuses Localhost fields.
func checkAppArmorAnnotations(c *podContext) []error {
	var errs errList
	for _, key := range sortedKeys(c.pod.Annotations) {
		name, ok := strings.CutPrefix(key, AppArmorAnnotationPrefix)
		if !ok {
			continue
		}
		path := "metadata.annotations[" + key + "]"
		v := c.pod.Annotations[key]
		if !hasContainer(&c.pod.Spec, name) {
			errs.add(invalid(path, name, "container not found"))
		}
		switch {
		case v == "" || v == appArmorAnnotationRuntimeDefault || v == appArmorAnnotationUnconfined:
		case !strings.HasPrefix(v, appArmorAnnotationLocalhost):
			errs.add(invalid(path, v, fmt.Sprintf("invalid AppArmor profile name: %q", v)))
		default:
			errs.add(rejected(path, fmt.Sprintf("%q: this node has no AppArmor to load a profile into", v)))
		}
	}
	errs.add(checkAppArmorAgreement(c)...)
	return errs
}

func hasContainer(s *PodSpec, name string) bool {
	for _, c := range s.AllContainers() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// checkAppArmorAgreement: where a container has both an annotation and a
// profile (its own or the pod's), they agree
// (validateAppArmorAnnotationsAndFieldsMatchOnCreate).
func checkAppArmorAgreement(c *podContext) []error {
	var errs errList
	var podProfile *AppArmorProfile
	if sc := c.pod.Spec.SecurityContext; sc != nil {
		podProfile = sc.AppArmorProfile
	}
	forEachContainer(&c.pod.Spec, func(path string, ctr *Container) {
		profile := podProfile
		if ctr.SecurityContext != nil && ctr.SecurityContext.AppArmorProfile != nil {
			profile = ctr.SecurityContext.AppArmorProfile
		}
		v, ok := c.pod.Annotations[AppArmorAnnotationPrefix+ctr.Name]
		if profile == nil || !ok {
			return
		}
		ap := path + ".securityContext.appArmorProfile"
		switch profile.Type {
		case AppArmorUnconfined, AppArmorRuntimeDefault:
			if !sameAppArmor(appArmorFromAnnotation(v), &AppArmorProfile{Type: profile.Type}) {
				errs.add(forbidden(ap+".type", "apparmor type in annotation and field must match"))
			}
		case AppArmorLocalhost:
			name, isLocal := strings.CutPrefix(v, appArmorAnnotationLocalhost)
			switch {
			case !isLocal:
				errs.add(forbidden(ap+".type", "apparmor type in annotation and field must match"))
			case profile.LocalhostProfile == nil || name != *profile.LocalhostProfile:
				errs.add(forbidden(ap+".localhostProfile", "apparmor profile in annotation and field must match"))
			}
		}
	})
	return errs
}
