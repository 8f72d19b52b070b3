package podspec

import (
	"encoding/json"
	"strings"
	"testing"
)

type m = map[string]any
type l = []any

// withConfigMap prepends a ConfigMap document to a pod document.
func withConfigMap(cm m, pod []byte) []byte {
	base := m{"apiVersion": "v1", "kind": "ConfigMap", "metadata": m{"name": "cm"}}
	for k, v := range cm {
		base[k] = v
	}
	return append(append(mustJSON(base), "\n---\n"...), pod...)
}

const dupYAML = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox
    image: nginx
`

// decodeErrorCases: the strict walk (unknown, duplicate, wrong type, not
// supported) and the document checks.
var decodeErrorCases = []struct {
	name string
	data []byte
	want string
}{
	{"unknown field", podWith(edit{"spec.containers[1]", m{"name": "d", "image": "x", "imagee": "x"}}),
		"spec.containers[1].imagee: unknown field"},
	{"unknown top-level", podWith(edit{"extra", 1}), "extra: unknown field"},
	{"duplicate field", []byte(dupYAML), "spec.containers[0].image: duplicate field"},
	{"wrong type int", podWith(edit{"spec.containers[0].ports", l{m{"containerPort": "80"}}}),
		"spec.containers[0].ports[0].containerPort: Invalid type: expected integer, got string"},
	{"wrong type string", podWith(edit{"spec.containers[0].env", l{m{"name": "A", "value": 1}}}),
		"spec.containers[0].env[0].value: Invalid type: expected string, got number"},
	{"wrong type list", podWith(edit{"spec.containers", m{"name": "c"}}),
		"spec.containers: Invalid type: expected array, got object"},
	{"wrong type map", podWith(edit{"spec.nodeSelector", m{"a": 1}}),
		"spec.nodeSelector[a]: Invalid type: expected string, got number"},
	{"int32 overflow", podWith(edit{"spec.containers[0].ports", l{m{"containerPort": 1 << 40}}}),
		"spec.containers[0].ports[0].containerPort: Invalid value: \"1099511627776\": out of range"},
	{"int64 overflow", podWith(edit{"spec.terminationGracePeriodSeconds", json.Number("9223372036854775808")}),
		`spec.terminationGracePeriodSeconds: Invalid value: "9223372036854775808": out of range for a 64-bit integer`},
	{"int64 underflow", podWith(edit{"spec.terminationGracePeriodSeconds", json.Number("-1e19")}),
		`spec.terminationGracePeriodSeconds: Invalid value: "-1e+19": out of range for a 64-bit integer`},
	{"int64 far overflow", podWith(edit{"spec.terminationGracePeriodSeconds", json.Number("1e300")}),
		`spec.terminationGracePeriodSeconds: Invalid value: "1e+300": out of range for a 64-bit integer`},
	{"uint64 port", podWith(edit{"spec.containers[0].ports", l{m{"containerPort": json.Number("18446744073709551615")}}}),
		`spec.containers[0].ports[0].containerPort: Invalid value: "18446744073709551615": out of range for a 64-bit integer`},
	{"uint64 for a string", podWith(edit{"spec.containers[0].env", l{m{"name": "A", "value": json.Number("18446744073709551615")}}}),
		"spec.containers[0].env[0].value: Invalid type: expected string, got number"},
	{"fraction for integer", podWith(edit{"spec.terminationGracePeriodSeconds", 1.5}),
		"spec.terminationGracePeriodSeconds: Invalid type: expected integer, got number"},
	{"bad quantity", podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{"sizeLimit": "lots"}}}}),
		`spec.volumes[0].emptyDir.sizeLimit: Invalid value: "lots"`},
	{"bad base64", withConfigMap(m{"binaryData": m{"k": "!!"}}, podWith()), `binaryData[k]: Invalid value: illegal base64 data at input byte 0`},
	{"apiVersion", podWith(edit{"apiVersion", "apps/v1"}), `document 1 (Pod "p"): apiVersion: Unsupported value: "apps/v1": supported values: "v1" (a Pod is v1)`},
	{"kind", podWith(edit{"kind", "Deployment"}), `document 1 (Deployment "p"): kind: Unsupported value: "Deployment" (v1): minipod runs v1 Pods (and keeps v1 ConfigMaps, Secrets, PersistentVolumeClaims and Services for them); its spec.template is a Pod's metadata and spec: run it as a Pod`},
	{"kind Ingress", podWith(edit{"kind", "Ingress"}), `document 1 (Ingress "p"): kind: Unsupported value: "Ingress" (v1): minipod runs v1 Pods (and keeps v1 ConfigMaps, Secrets, PersistentVolumeClaims and Services for them)`},
	{"no kind", podWith(edit{"kind", ""}), `document 1: kind: Required value`},
	{"empty", []byte("---\n# nothing\n"), "manifest is empty"},
	{"scalar document", []byte("just text\n"), "document 1: expected a mapping"},
	{"syntax", []byte("apiVersion: v1\nkind: [Pod\n"), "document 1: yaml:"},
}

// notSupportedCases: Kubernetes fields minipod rejects by name.
var notSupportedCases = []struct {
	path  string
	value any
	want  string // default: "<path>: not supported"
}{
	{"spec.containers[0].lifecycle", m{"preStop": m{"tcpSocket": m{"port": 80}}}, "spec.containers[0].lifecycle.preStop.tcpSocket: not supported: a lifecycle hook cannot use tcpSocket"},
	{"spec.containers[0].securityContext", m{"seLinuxOptions": m{"level": "s0:c1"}}, "spec.containers[0].securityContext.seLinuxOptions: not supported: this node has no SELinux"},
	{"spec.securityContext", m{"seLinuxOptions": m{"type": "spc_t"}}, "spec.securityContext.seLinuxOptions: not supported: this node has no SELinux"},
	{"spec.securityContext", m{"windowsOptions": m{"runAsUserName": "x"}}, "spec.securityContext.windowsOptions: not supported: Windows only"},
	{"spec.containers[0].securityContext", m{"windowsOptions": m{"hostProcess": true}}, "spec.containers[0].securityContext.windowsOptions: not supported: Windows only"},
	{"spec.containers[0].resources", m{"claims": l{m{"name": "gpu"}}}, "spec.containers[0].resources.claims: not supported"},
	{"spec.resources", m{"claims": l{m{"name": "gpu"}}}, "spec.resources.claims: not supported"},
	{"spec.containers[0].volumeDevices", l{m{"name": "d", "devicePath": "/dev/x"}}, ""},
	{"spec.activeDeadlineSeconds", 0, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 4294967295, inclusive"},
	{"spec.ephemeralContainers", l{m{"name": "e"}}, ""},
	{"spec.containers[0].ports", l{m{"containerPort": 80, "hostPort": 8080, "protocol": "SCTP"}}, "spec.containers[0].ports[0].hostPort: not supported for SCTP"},
	{"spec.containers[0].volumeMounts", l{m{"name": "v", "mountPath": "/v", "mountPropagation": "Bidirectional"}}, "spec.containers[0].volumeMounts[0].mountPropagation: not supported"},
	{"spec.containers[0].volumeMounts", l{m{"name": "v", "mountPath": "/v", "recursiveReadOnly": "Enabled"}}, "spec.containers[0].volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true"},
	{"spec.containers[0].volumeMounts", l{m{"name": "v", "mountPath": "/v", "readOnly": true, "recursiveReadOnly": "Always"}}, `spec.containers[0].volumeMounts[0].recursiveReadOnly: Unsupported value: "Always": supported values: "Disabled", "Enabled", "IfPossible"`},
	{"metadata.generateName", "web-", ""},
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range decodeErrorCases {
		t.Run(tc.name, func(t *testing.T) { expectError(t, tc.data, tc.want) })
	}
}

func TestNotSupported(t *testing.T) {
	for _, tc := range notSupportedCases {
		want := tc.want
		if want == "" {
			want = tc.path + ": not supported"
		}
		t.Run(want, func(t *testing.T) {
			edits := []edit{{tc.path, tc.value}}
			if strings.Contains(tc.path, "volumeMounts") {
				edits = append(edits, edit{"spec.volumes", l{m{"name": "v"}}})
			}
			expectError(t, podWith(edits...), want)
		})
	}
}

func TestEmptySecurityContextAccepted(t *testing.T) {
	mustParsePod(t, podWith(
		edit{"spec.securityContext", m{"runAsNonRoot": false, "sysctls": l{}, "supplementalGroups": l{}}},
		edit{"spec.containers[0].securityContext", m{"privileged": false, "capabilities": m{}, "readOnlyRootFilesystem": false}},
		edit{"spec.containers[0].stdin", false},
		edit{"spec.hostNetwork", false},
		edit{"spec.containers[0].resources", m{"limits": m{}, "claims": l{}}},
		edit{"spec.securityContext.seLinuxOptions", m{}},
		edit{"spec.containers[0].securityContext.seLinuxOptions", m{}},
		edit{"spec.containers[0].ports", l{m{"containerPort": 80, "hostPort": 0}}},
	))
}

func expectError(t *testing.T, data []byte, want string) {
	t.Helper()
	_, _, err := Parse(data)
	if err == nil {
		t.Fatalf("Parse accepted, want error containing %q\ninput: %s", want, data)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error:\n%v\nwant it to contain %q", err, want)
	}
}
