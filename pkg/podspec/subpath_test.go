package podspec

import "testing"

// The kubelet's expansion of subPathExpr (ExpandContainerVolumeMounts, then
// makeMounts' checks), with its messages.
func TestExpandSubPath(t *testing.T) {
	env := []string{"POD_NAME=pod1", "EMPTY=", "UP=..", "ABS=/etc", "DIR=a/b", "POD_NAME=pod2"}
	for _, tc := range []struct {
		expr, want, err string
	}{
		{"$(POD_NAME)", "pod2", ""}, // the last of a name wins, as in a map
		{"logs/$(DIR)/x", "logs/a/b/x", ""},
		{"$$(POD_NAME)", "$(POD_NAME)", ""},
		{"plain", "plain", ""},
		{"$(NOPE)/$(EMPTY)", "", "missing value for EMPTY, NOPE"},
		{"$(UP)/etc", "", "unable to provision SubPath `../etc`: must not contain '..'"},
		{"$(ABS)", "", "error SubPath `/etc` must not be an absolute path"},
	} {
		got, err := ExpandSubPath(tc.expr, env)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%q: %q, %v; want error %q", tc.expr, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %q, %v; want %q", tc.expr, got, err, tc.want)
		}
	}
}

func TestSubPathExprChecked(t *testing.T) {
	mount := func(vm m) []byte {
		return podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{}}}},
			edit{"spec.containers[0].volumeMounts", l{vm}})
	}
	expectError(t, mount(m{"name": "v", "mountPath": "/x", "subPath": "a", "subPathExpr": "$(B)"}),
		`spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(B)": subPathExpr and subPath are mutually exclusive`)
	expectError(t, mount(m{"name": "v", "mountPath": "/x", "subPathExpr": "../$(B)"}),
		`spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "../$(B)": must not contain '..'`)
	expectError(t, mount(m{"name": "v", "mountPath": "/x", "subPathExpr": "/$(B)"}),
		`spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "/$(B)": must be a relative path`)
	mustParsePod(t, mount(m{"name": "v", "mountPath": "/x", "subPathExpr": "$(POD_NAME)"}))
}
