package podspec

import (
	"slices"
	"testing"
)

const aaKey = "container.apparmor.security.beta.kubernetes.io/"

func annotated(ann m, edits ...edit) []byte {
	return podWith(append(edits, edit{"metadata.annotations", ann})...)
}

var appArmorAnnotationErrors = []struct {
	name string
	data []byte
	want []string
}{
	{"no such container", annotated(m{aaKey + "nope": "runtime/default"}),
		l2(`metadata.annotations[` + aaKey + `nope]: Invalid value: "nope": container not found`)},
	{"not a profile", annotated(m{aaKey + "c": "docker-default"}),
		l2(`metadata.annotations[` + aaKey + `c]: Invalid value: "docker-default": invalid AppArmor profile name: "docker-default"`)},
	{"localhost refused", annotated(m{aaKey + "c": "localhost/k8s-nginx"}),
		l2(`metadata.annotations[` + aaKey + `c]: not supported: "localhost/k8s-nginx": this node has no AppArmor to load a profile into`)},
	{"disagrees with the container's field", annotated(m{aaKey + "c": "unconfined"}, edit{csc + ".appArmorProfile", m{"type": "RuntimeDefault"}}),
		l2(csc + `.appArmorProfile.type: Forbidden: apparmor type in annotation and field must match`)},
	// A valid annotation that differs from the pod's field is copied to the
	// container, and so agrees; an empty one is not, and does not.
	{"disagrees with the pod's field", annotated(m{aaKey + "c": ""}, edit{"spec.securityContext.appArmorProfile", m{"type": "RuntimeDefault"}}),
		l2(csc + `.appArmorProfile.type: Forbidden: apparmor type in annotation and field must match`)},
	{"init container", annotated(m{aaKey + "i": "bogus"}, edit{"spec.initContainers", l{m{"name": "i", "image": "x"}}}),
		l2(`metadata.annotations[` + aaKey + `i]: Invalid value: "bogus": invalid AppArmor profile name: "bogus"`)},
}

func TestAppArmorAnnotationErrors(t *testing.T) {
	for _, tc := range appArmorAnnotationErrors {
		t.Run(tc.name, func(t *testing.T) { expectErrorLines(t, tc.data, tc.want) })
	}
}

// TestAppArmorAnnotationCopied: as the API server does on create, the
// annotation becomes the container's field when the container has none and
// it differs from the pod's, with a deprecation warning.
func TestAppArmorAnnotationCopied(t *testing.T) {
	warning := `metadata.annotations[` + aaKey + `c]: deprecated since v1.30; use the "appArmorProfile" field instead`
	cases := []struct {
		name     string
		data     []byte
		want     *AppArmorProfile
		warnings []string
	}{
		{"runtime/default", annotated(m{aaKey + "c": "runtime/default"}), &AppArmorProfile{Type: AppArmorRuntimeDefault}, l3(warning)},
		{"differs from the pod's", annotated(m{aaKey + "c": "runtime/default"}, edit{"spec.securityContext.appArmorProfile", m{"type": "Unconfined"}}),
			&AppArmorProfile{Type: AppArmorRuntimeDefault}, l3(warning)},
		{"unconfined", annotated(m{aaKey + "c": "unconfined"}), &AppArmorProfile{Type: AppArmorUnconfined}, l3(warning)},
		{"same as the pod's: not copied, no warning", annotated(m{aaKey + "c": "unconfined"},
			edit{"spec.securityContext.appArmorProfile", m{"type": "Unconfined"}}), nil, nil},
		{"empty: nothing to copy, a warning", annotated(m{aaKey + "c": ""}), nil, l3(warning)},
		{"the field wins, no warning", annotated(m{aaKey + "c": "runtime/default"},
			edit{csc + ".appArmorProfile", m{"type": "RuntimeDefault"}}), &AppArmorProfile{Type: AppArmorRuntimeDefault}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mf, warns := mustParse(t, tc.data)
			c := mf.Pods[0].Spec.Containers[0]
			var got *AppArmorProfile
			if c.SecurityContext != nil {
				got = c.SecurityContext.AppArmorProfile
			}
			if !sameAppArmor(got, tc.want) {
				t.Errorf("container profile = %+v, want %+v", got, tc.want)
			}
			if !slices.Equal(warns, tc.warnings) {
				t.Errorf("warnings = %q, want %q", warns, tc.warnings)
			}
		})
	}
}

func l3(s ...string) []string { return s }
