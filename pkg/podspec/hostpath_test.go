package podspec

import (
	"slices"
	"strings"
	"testing"
)

func hostPathPod(src m) []byte {
	return podWith(
		edit{"spec.volumes", l{m{"name": "host", "hostPath": src}}},
		edit{"spec.containers[0].volumeMounts", l{m{"name": "host", "mountPath": "/host"}}},
	)
}

func TestHostPathAccepted(t *testing.T) {
	for _, typ := range hostPathTypes {
		t.Run("type "+typ, func(t *testing.T) {
			p := mustParsePod(t, hostPathPod(m{"path": "/var/log", "type": typ}))
			h := p.Spec.Volumes[0].HostPath
			if h == nil || h.Path != "/var/log" || h.TypeOrUnset() != typ {
				t.Fatalf("hostPath decoded as %+v", h)
			}
			if p.Spec.Volumes[0].EmptyDir != nil {
				t.Error("a hostPath volume was also given emptyDir by defaulting")
			}
		})
	}
}

// TestHostPathTypeDefaulted: the API server defaults type to "", so that
// the stored pod says it.
func TestHostPathTypeDefaulted(t *testing.T) {
	p := mustParsePod(t, hostPathPod(m{"path": "/data"}))
	if tp := p.Spec.Volumes[0].HostPath.Type; tp == nil || *tp != "" {
		t.Errorf("type defaulted to %v, want a pointer to \"\"", tp)
	}
}

func TestHostPathInvalid(t *testing.T) {
	cases := []struct {
		name string
		src  m
		want string
	}{
		{"path required", m{"type": "Directory"}, "spec.volumes[0].hostPath.path: Required value"},
		{"backstep", m{"path": "/data/../etc"}, `spec.volumes[0].hostPath.path: Invalid value: "/data/../etc": must not contain '..'`},
		{"trailing backstep", m{"path": "/data/.."}, `spec.volumes[0].hostPath.path: Invalid value: "/data/..": must not contain '..'`},
		{"relative", m{"path": "data"}, `spec.volumes[0].hostPath.path: Invalid value: "data": must be an absolute path`},
		{"type", m{"path": "/data", "type": "Dir"}, `spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"`},
		{"unknown field", m{"path": "/data", "readOnly": true}, "spec.volumes[0].hostPath.readOnly"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expectError(t, hostPathPod(tc.src), tc.want) })
	}
}

// TestHostPathOneSource: the API server's words for a second source (the
// later one in its order is named).
func TestHostPathOneSource(t *testing.T) {
	p := podWith(edit{"spec.volumes", l{m{"name": "v", "hostPath": m{"path": "/d"}, "configMap": m{"name": "x", "optional": true}}}})
	expectError(t, p, "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type")
}

// TestHostPathDotsInNames: ".." only counts as a whole element.
func TestHostPathDotsInNames(t *testing.T) {
	mustParsePod(t, hostPathPod(m{"path": "/data/..hidden/a..b/..."}))
}

func TestHostPathWarning(t *testing.T) {
	_, warns := mustParse(t, hostPathPod(m{"path": "/var/log", "type": "Directory"}))
	want := `spec.volumes[0].hostPath: volume "host" gives the pod access to the host's /var/log; PodSecurity's baseline level forbids hostPath volumes`
	if !slices.Contains(warns, want) {
		t.Errorf("warnings %q do not contain %q", warns, want)
	}
}

func TestNoHostPathWarningWithout(t *testing.T) {
	_, warns := mustParse(t, podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{}}}}))
	for _, w := range warns {
		if strings.Contains(w, "hostPath") {
			t.Errorf("unexpected warning %q", w)
		}
	}
}
