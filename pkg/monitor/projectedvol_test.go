package monitor

import (
	"errors"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
)

const projectedManifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {config: "log=debug", other: "x"}
binaryData: {bin: AAEC}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {username: admin, password: s3cret}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  uid: 0d6a4f8e-2f7c-4c43-9a53-4b3f5f0e7c11
  labels: {zone: us-est-coast, cluster: test-cluster1}
  annotations: {build: two, note: "a \"quoted\"\nline"}
spec:
  containers:
  - name: c
    image: busybox
    resources:
      requests: {cpu: 125m, memory: 32Mi}
      limits: {cpu: 250m, memory: 64Mi}
  - name: nolimits
    image: busybox
  volumes:
  - name: d
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: meta/name, fieldRef: {fieldPath: metadata.name}, mode: 0400}
      - {path: namespace, fieldRef: {fieldPath: metadata.namespace}}
      - {path: uid, fieldRef: {fieldPath: metadata.uid}}
      - {path: zone, fieldRef: {fieldPath: "metadata.labels['zone']"}}
      - {path: cpu_limit, resourceFieldRef: {containerName: c, resource: limits.cpu, divisor: 1m}}
      - {path: cpu_request, resourceFieldRef: {containerName: c, resource: requests.cpu}}
      - {path: mem_limit, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
      - {path: mem_request, resourceFieldRef: {containerName: c, resource: requests.memory}}
      - {path: node_cpu, resourceFieldRef: {containerName: nolimits, resource: limits.cpu}}
      - {path: node_mem, resourceFieldRef: {containerName: nolimits, resource: limits.memory, divisor: 1Ki}}
  - name: p
    projected:
      defaultMode: 0440
      sources:
      - secret: {name: sec, items: [{key: username, path: my-group/my-username}]}
      - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
      - configMap: {name: cm, items: [{key: config, path: my-group/my-config, mode: 0600}]}
      - configMap: {name: cm}
`

func parseProjected(t *testing.T, text string) (*podspec.Manifest, *podspec.Pod) {
	t.Helper()
	m, _, err := podspec.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return m, m.Pods[0]
}

// wantFiles compares files with want (path -> content, mode).
func wantFiles(t *testing.T, files map[string]volFile, want map[string]volFile) {
	t.Helper()
	for path, w := range want {
		got, ok := files[path]
		switch {
		case !ok:
			t.Errorf("no file %s", path)
		case string(got.data) != string(w.data) || got.mode != w.mode:
			t.Errorf("%s: %q mode %o, want %q mode %o", path, got.data, got.mode, w.data, w.mode)
		}
	}
	for path := range files {
		if _, ok := want[path]; !ok {
			t.Errorf("unexpected file %s", path)
		}
	}
}

// TestDownwardFiles: the files' contents as the kubelet writes them
// (labels as sorted key="value" lines, %q-quoted, no final newline;
// resources divided and rounded up; the node's amount for a limit not
// set) with defaultMode or the item's mode.
func TestDownwardFiles(t *testing.T) {
	_, p := parseProjected(t, projectedManifest)
	src := p.Spec.Volumes[0].DownwardAPI
	alloc := podspec.ResourceAmounts{podspec.ResourceCPU: 2500, podspec.ResourceMemory: 3 << 30}
	files, err := downwardFiles(p, src.Items, *src.DefaultMode, alloc)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles(t, files, map[string]volFile{
		"labels":      {[]byte("cluster=\"test-cluster1\"\nzone=\"us-est-coast\""), 0o644},
		"annotations": {[]byte("build=\"two\"\nnote=\"a \\\"quoted\\\"\\nline\""), 0o644},
		"meta/name":   {[]byte("web"), 0o400},
		"namespace":   {[]byte("default"), 0o644},
		"uid":         {[]byte("0d6a4f8e-2f7c-4c43-9a53-4b3f5f0e7c11"), 0o644},
		"zone":        {[]byte("us-est-coast"), 0o644},
		"cpu_limit":   {[]byte("250"), 0o644},
		"cpu_request": {[]byte("1"), 0o644}, // 0.125 core, rounded up
		"mem_limit":   {[]byte("64"), 0o644},
		"mem_request": {[]byte("33554432"), 0o644},
		"node_cpu":    {[]byte("3"), 0o644}, // 2.5 allocatable cores, rounded up
		"node_mem":    {[]byte("3145728"), 0o644},
	})
}

// TestProjectedFiles: a secret's, a configMap's and downwardAPI's files in
// one volume, with the volume's defaultMode unless an item sets one; a
// source without items projects every key (binaryData too).
func TestProjectedFiles(t *testing.T) {
	m, p := parseProjected(t, projectedManifest)
	files, err := projectedFiles(m, p, p.Spec.Volumes[1].Projected, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles(t, files, map[string]volFile{
		"my-group/my-username": {[]byte("admin"), 0o440},
		"labels":               {[]byte("cluster=\"test-cluster1\"\nzone=\"us-est-coast\""), 0o440},
		"my-group/my-config":   {[]byte("log=debug"), 0o600},
		"config":               {[]byte("log=debug"), 0o440},
		"other":                {[]byte("x"), 0o440},
		"bin":                  {[]byte{0, 1, 2}, 0o440},
	})
}

// TestProjectedMissing: a missing ConfigMap or Secret (or key) that is
// not optional makes the pod wait (ErrObjectNotFound); an optional one
// gives no files.
func TestProjectedMissing(t *testing.T) {
	pod := func(sources string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  containers: [{name: c, image: busybox}]\n" +
			"  volumes:\n  - name: p\n    projected:\n      sources:\n" + sources
	}
	for _, tc := range []struct {
		name, sources, wantErr string
	}{
		{"secret", "      - secret: {name: nope}\n", `secret "nope" not found`},
		{"configMap", "      - configMap: {name: nope}\n", `configmap "nope" not found`},
		{"key", "      - configMap: {name: cm, items: [{key: nope, path: x}]}\n", "configmap references non-existent config key: nope"},
		{"secret key", "      - secret: {name: sec, items: [{key: nope, path: x}]}\n", "references non-existent secret key: nope"},
		{"optional", "      - secret: {name: nope, optional: true}\n      - configMap: {name: nope, optional: true, items: [{key: k, path: x}]}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n---\n" +
				"apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData: {k: v}\n---\n" + pod(tc.sources)
			m, p := parseProjected(t, text)
			files, err := projectedFiles(m, p, p.Spec.Volumes[0].Projected, nil)
			if tc.wantErr == "" {
				if err != nil || len(files) != 0 {
					t.Fatalf("got %v, %v; want no files and no error", files, err)
				}
				return
			}
			if !errors.Is(err, podspec.ErrObjectNotFound) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an ErrObjectNotFound saying %q", err, tc.wantErr)
			}
		})
	}
}
