package podspec

import "testing"

// The API server's rules for image volumes (v1.35 validateImageVolumeSource
// and SetDefaults_ImageVolumeSource), in its words.
func TestImageVolumeValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		vol  m
		want string
	}{
		{"no reference", m{"name": "v", "image": m{}}, "spec.volumes[0].image.reference: Required value"},
		{"bad policy", m{"name": "v", "image": m{"reference": "busybox", "pullPolicy": "Sometimes"}},
			`spec.volumes[0].image.pullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`},
		{"two sources", m{"name": "v", "emptyDir": m{}, "image": m{"reference": "busybox"}},
			"spec.volumes[0].image: Forbidden: may not specify more than 1 volume type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, podWith(edit{"spec.volumes", l{tc.vol}}), tc.want)
		})
	}
}

// pullPolicy defaults as a container's imagePullPolicy does; a mount of
// the volume may say readOnly false, and may take a subPath.
func TestImageVolumeDefaultsAndMounts(t *testing.T) {
	for ref, want := range map[string]string{"busybox": "Always", "busybox:latest": "Always", "quay.io/crio/artifact:v2": "IfNotPresent", "busybox@sha256:abc": "IfNotPresent"} {
		p := mustParsePod(t, podWith(edit{"spec.volumes", l{m{"name": "v", "image": m{"reference": ref}}}}))
		if got := p.Spec.Volumes[0].Image.PullPolicy; got != want {
			t.Errorf("reference %q: pullPolicy %q, want %q", ref, got, want)
		}
	}
	p := mustParsePod(t, podWith(
		edit{"spec.volumes", l{m{"name": "v", "image": m{"reference": "busybox:1", "pullPolicy": "Never"}}}},
		edit{"spec.containers[0].volumeMounts", l{m{"name": "v", "mountPath": "/v", "readOnly": false, "subPath": "dir"}}}))
	if p.Spec.Volumes[0].Image.PullPolicy != "Never" || len(p.Spec.Containers[0].VolumeMounts) != 1 {
		t.Errorf("explicit pullPolicy or the volume lost: %+v", p.Spec.Volumes[0])
	}
}
