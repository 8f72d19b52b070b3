package podspec

import (
	"testing"
)

// dapiCase is a pod with one downwardAPI volume of the given items.
func dapiCase(items ...any) []byte {
	return podWith(edit{"spec.volumes", l{m{"name": "v", "downwardAPI": m{"items": l(items)}}}})
}

// projCase is a pod with one projected volume of the given sources.
func projCase(sources ...any) []byte {
	return podWith(edit{"spec.volumes", l{m{"name": "v", "projected": m{"sources": l(sources)}}}})
}

func nameRef() m { return m{"fieldRef": m{"fieldPath": "metadata.name"}} }

// with returns a copy of base with the keys of more added.
func with(base m, more m) m {
	out := m{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

const (
	dapi = "spec.volumes[0].downwardAPI"
	proj = "spec.volumes[0].projected"
)

// The API server's messages (validateDownwardAPIVolumeFile,
// validateObjectFieldSelector, validateProjectionSources), each case
// giving exactly the errors listed.
var projectedCases = []struct {
	name string
	data []byte
	want []string
}{
	{"path required", dapiCase(nameRef()), []string{dapi + ".path: Required value"}},
	{"path absolute", dapiCase(with(nameRef(), m{"path": "/etc/x"})),
		[]string{dapi + `.path: Invalid value: "/etc/x": must be a relative path`}},
	{"path climbing", dapiCase(with(nameRef(), m{"path": "a/../../b"})),
		[]string{dapi + `.path: Invalid value: "a/../../b": must not contain '..'`}},
	{"path reserved", dapiCase(with(nameRef(), m{"path": "..data"})),
		[]string{dapi + `.path: Invalid value: "..data": must not start with '..'`}},
	{"no source", dapiCase(m{"path": "x"}),
		[]string{dapi + ": Required value: one of fieldRef and resourceFieldRef is required"}},
	{"both sources", dapiCase(with(nameRef(), m{"path": "x", "resourceFieldRef": m{"containerName": "c", "resource": "limits.cpu"}})),
		[]string{dapi + `: Invalid value: "resource": fieldRef and resourceFieldRef can not be specified simultaneously`}},
	{"fieldPath required", dapiCase(m{"path": "x", "fieldRef": m{}}),
		[]string{dapi + ".fieldRef.fieldPath: Required value"}},
	{"apiVersion", dapiCase(m{"path": "x", "fieldRef": m{"apiVersion": "v2", "fieldPath": "metadata.name"}}),
		[]string{dapi + `.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2`}},
	{"podIP is env only", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "status.podIP"}}),
		[]string{dapi + `.fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"`}},
	{"nodeName is env only", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "spec.nodeName"}}),
		[]string{dapi + `.fieldRef.fieldPath: Unsupported value: "spec.nodeName"`}},
	{"spec.host converted", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "spec.host"}}),
		[]string{dapi + `.fieldRef.fieldPath: Unsupported value: "spec.nodeName"`}},
	{"unknown field", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "metadata.bogus"}}),
		[]string{dapi + `.fieldRef.fieldPath: Invalid value: "metadata.bogus": error converting fieldPath: field label not supported: metadata.bogus`}},
	{"subscript on a scalar", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "metadata.name['x']"}}),
		[]string{dapi + `.fieldRef.fieldPath: Invalid value: "metadata.name['x']": error converting fieldPath: field label does not support subscript: metadata.name['x']`}},
	{"label key", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "metadata.labels['-x']"}}),
		[]string{dapi + `.fieldRef: Invalid value: "-x": name part must consist of alphanumeric characters`}},
	// An annotation key is checked in lower case (see TestProjectedAccepted), a label's as it is.
	{"label key prefix", dapiCase(m{"path": "x", "fieldRef": m{"fieldPath": "metadata.labels['Example.com/x']"}}),
		[]string{dapi + `.fieldRef: Invalid value: "Example.com/x": prefix part a lowercase RFC 1123 subdomain`}},
	{"containerName required", dapiCase(m{"path": "x", "resourceFieldRef": m{"resource": "limits.cpu"}}),
		[]string{dapi + ".resourceFieldRef.containerName: Required value"}},
	{"unknown container", dapiCase(m{"path": "x", "resourceFieldRef": m{"containerName": "nope", "resource": "limits.cpu"}}),
		[]string{dapi + `.resourceFieldRef.containerName: Invalid value: "nope": must be one of the containers of the pod`}},
	{"resource", dapiCase(m{"path": "x", "resourceFieldRef": m{"containerName": "c", "resource": "limits.gpu"}}),
		[]string{dapi + `.resourceFieldRef.resource: Unsupported value: "limits.gpu"`}},
	{"divisor", dapiCase(m{"path": "x", "resourceFieldRef": m{"containerName": "c", "resource": "limits.cpu", "divisor": "1Mi"}}),
		[]string{dapi + `.resourceFieldRef.divisor: Unsupported value: "1Mi": supported values: "1m", "1"`}},
	{"item mode", dapiCase(with(nameRef(), m{"path": "x", "mode": 0o1000})),
		[]string{dapi + `.mode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive`}},
	{"defaultMode", podWith(edit{"spec.volumes", l{m{"name": "v", "downwardAPI": m{"defaultMode": -1}}}}),
		[]string{dapi + `.defaultMode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive`}},
	{"with another source", podWith(edit{"spec.volumes", l{m{"name": "v", "downwardAPI": m{}, "projected": m{"sources": l{}}}}}),
		[]string{"spec.volumes[0].projected: Forbidden: may not specify more than 1 volume type"}},

	{"secret name", projCase(m{"secret": m{}}), []string{proj + ".sources[0].secret.name: Required value"}},
	{"configMap name", projCase(m{"configMap": m{}}), []string{proj + ".sources[0].configMap.name: Required value"}},
	{"key required", projCase(m{"configMap": m{"name": "cm", "items": l{m{"path": "a"}}}}),
		[]string{proj + ".sources[0].configMap.items[0].key: Required value"}},
	{"item path", projCase(m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "../x"}}}}),
		[]string{proj + `.sources[0].secret.items[0].path: Invalid value: "../x": must not contain '..'`}},
	{"item mode in a source", projCase(m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "x", "mode": 0o1000}}}}),
		[]string{proj + `.sources[0].secret.items[0].mode: Invalid value: 512`}},
	{"downwardAPI item in a source", projCase(m{"downwardAPI": m{"items": l{nameRef()}}}),
		[]string{proj + ".sources[0].downwardAPI.path: Required value"}},
	{"conflict secret then configMap", projCase(
		m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "a/b"}}}},
		m{"configMap": m{"name": "cm", "items": l{m{"key": "k", "path": "a/b"}}}}),
		[]string{proj + `: Invalid value: "cm": conflicting duplicate paths`}},
	{"conflict within one secret", projCase(
		m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "a"}, m{"key": "j", "path": "a"}}}}),
		[]string{proj + `: Invalid value: "s": conflicting duplicate paths`}},
	{"conflict with downwardAPI", projCase(
		m{"configMap": m{"name": "cm", "items": l{m{"key": "k", "path": "name"}}}},
		m{"downwardAPI": m{"items": l{with(nameRef(), m{"path": "name"})}}}),
		[]string{proj + `: Invalid value: "name": conflicting duplicate paths`}},
	{"two types in one source", projCase(m{"secret": m{"name": "s"}, "configMap": m{"name": "cm"}}),
		[]string{proj + ".sources[0]: Forbidden: may not specify more than 1 volume type per source"}},
	{"projected defaultMode", podWith(edit{"spec.volumes", l{m{"name": "v", "projected": m{"sources": l{}, "defaultMode": 0o1000}}}}),
		[]string{proj + `.defaultMode: Invalid value: 512`}},
	{"serviceAccountToken", projCase(m{"serviceAccountToken": m{"path": "token"}}),
		[]string{proj + ".sources[0].serviceAccountToken: not supported: a service account token is issued by an API server for a service account; one node has neither"}},
	{"clusterTrustBundle", projCase(m{"clusterTrustBundle": m{"name": "x", "path": "ca.pem"}}),
		[]string{proj + ".sources[0].clusterTrustBundle: not supported: ClusterTrustBundles are cluster objects kept by an API server"}},
	{"podCertificate", projCase(m{"podCertificate": m{"signerName": "x/y", "keyType": "ED25519", "credentialBundlePath": "b.pem"}}),
		[]string{proj + ".sources[0].podCertificate: not supported: pod certificates are issued through an API server"}},
	{"projected defaultUser", podWith(edit{"spec.volumes", l{m{"name": "v", "projected": m{"sources": l{}, "defaultUser": 1000}}}}),
		[]string{proj + ".defaultUser: not supported"}},
	{"downwardAPI item user", dapiCase(with(nameRef(), m{"path": "x", "user": 1000})),
		[]string{dapi + ".items[0].user: not supported"}},
}

func TestProjectedValidation(t *testing.T) {
	for _, tc := range projectedCases {
		t.Run(tc.name, func(t *testing.T) { expectErrorLines(t, tc.data, tc.want) })
	}
}

// TestProjectedAccepted: the volume and field forms the API server takes
// parse, and get its defaults: mode 0644, fieldRef apiVersion v1.
func TestProjectedAccepted(t *testing.T) {
	items := l{
		m{"path": "labels", "fieldRef": m{"fieldPath": "metadata.labels"}},
		m{"path": "annotations", "fieldRef": m{"fieldPath": "metadata.annotations"}},
		m{"path": "d/name", "fieldRef": m{"apiVersion": "v1", "fieldPath": "metadata.name"}},
		m{"path": "zone", "fieldRef": m{"fieldPath": "metadata.labels['zone']"}},
		m{"path": "build", "fieldRef": m{"fieldPath": "metadata.annotations['Example.com/Build']"}},
		m{"path": "cpu", "mode": 0o400, "resourceFieldRef": m{"containerName": "c", "resource": "limits.cpu", "divisor": "1m"}},
		m{"path": "mem", "resourceFieldRef": m{"containerName": "c", "resource": "requests.memory", "divisor": "1Mi"}},
		m{"path": "huge", "resourceFieldRef": m{"containerName": "c", "resource": "limits.hugepages-2Mi"}},
	}
	data := podWith(edit{"spec.volumes", l{
		m{"name": "d", "downwardAPI": m{"items": items}},
		m{"name": "p", "projected": m{"sources": l{
			m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "a/s"}}, "optional": true}},
			m{"configMap": m{"name": "cm"}},
			m{"downwardAPI": m{"items": l{m{"path": "n", "fieldRef": m{"fieldPath": "metadata.namespace"}}}}},
			m{}, // an empty source: the API server takes it
		}}},
	}})
	if err := decodeK8s(data); err != nil {
		t.Fatalf("k8s.io/api refuses it: %v", err)
	}
	p := mustParsePod(t, data)
	d, pr := p.Spec.Volumes[0].DownwardAPI, p.Spec.Volumes[1].Projected
	if d == nil || pr == nil {
		t.Fatalf("volumes: %+v", p.Spec.Volumes)
	}
	if *d.DefaultMode != 0o644 || *pr.DefaultMode != 0o644 {
		t.Errorf("defaultMode %o and %o, want 0644", *d.DefaultMode, *pr.DefaultMode)
	}
	if d.Items[0].FieldRef.APIVersion != "v1" || pr.Sources[2].DownwardAPI.Items[0].FieldRef.APIVersion != "v1" {
		t.Errorf("fieldRef apiVersion not defaulted to v1: %+v", d.Items[0].FieldRef)
	}
	kept := mustParsePod(t, podWith(edit{"spec.volumes", l{m{"name": "d", "downwardAPI": m{"defaultMode": 0o400}}}}))
	if got := *kept.Spec.Volumes[0].DownwardAPI.DefaultMode; got != 0o400 {
		t.Errorf("defaultMode 0400 given, got %o", got)
	}
}

func TestVolumeFieldValue(t *testing.T) {
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "web", Namespace: "ns", UID: "u-1",
		Labels: map[string]string{"zone": "us-est-coast", "cluster": "test-cluster1", "rack": "rack-22"},
		Annotations: map[string]string{"builder": "john-doe", "build": "two",
			"quote": `say "hi"` + "\n\ttab", "utf": "héllo", "empty": ""}}}
	for _, tc := range []struct{ path, want string }{
		// The documentation's dapi-volume page shows these two files.
		{"metadata.labels", "cluster=\"test-cluster1\"\nrack=\"rack-22\"\nzone=\"us-est-coast\""},
		{"metadata.annotations", "build=\"two\"\nbuilder=\"john-doe\"\nempty=\"\"\nquote=\"say \\\"hi\\\"\\n\\ttab\"\nutf=\"héllo\""},
		{"metadata.name", "web"},
		{"metadata.namespace", "ns"},
		{"metadata.uid", "u-1"},
		{"metadata.labels['zone']", "us-est-coast"},
		{"metadata.annotations['quote']", "say \"hi\"\n\ttab"},
		{"metadata.labels['missing']", ""},
	} {
		got, err := VolumeFieldValue(pod, tc.path)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	if got, err := VolumeFieldValue(&Pod{}, "metadata.labels"); err != nil || got != "" {
		t.Errorf("no labels: %q, %v; want an empty file", got, err)
	}
	if _, err := VolumeFieldValue(pod, "status.podIP"); err == nil {
		t.Error("status.podIP: want an error, a volume cannot read it")
	}
}
