package podspec

// These tests import k8s.io/api (test-only) to prove that minipod's schema
// agrees with Kubernetes': everything minipod accepts, Kubernetes' own types
// decode strictly, and every Kubernetes field is classified here.

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

func TestAcceptedManifestsDecodeStrictlyIntoK8s(t *testing.T) {
	for name, data := range validCases(t) {
		t.Run(name, func(t *testing.T) {
			for i, doc := range docSeparator.Split(string(data), -1) {
				if err := decodeK8s([]byte(doc)); err != nil {
					t.Errorf("document %d: k8s.io/api rejects what minipod accepts: %v", i+1, err)
				}
			}
		})
	}
}

func decodeK8s(doc []byte) error {
	var meta struct{ Kind string }
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return err
	}
	switch meta.Kind {
	case "Pod":
		return yaml.UnmarshalStrict(doc, &corev1.Pod{})
	case "ConfigMap":
		return yaml.UnmarshalStrict(doc, &corev1.ConfigMap{})
	case "":
		return nil // empty document
	}
	return fmt.Errorf("unexpected kind %q", meta.Kind)
}

// objectHosts are fieldHosts for the objects kept beside pods: the
// document to edit and where the type sits in it.
var objectHosts = map[string]struct {
	doc  func(...edit) []byte
	path string
}{
	"PersistentVolumeClaim":     {claimWith, ""},
	"PersistentVolumeClaimSpec": {claimWith, "spec"},
	"Service":                   {serviceWith, ""},
	"ServiceSpec":               {serviceWith, "spec"},
}

func claimWith(edits ...edit) []byte {
	return objectWith(map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "c"},
		"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}}, edits)
}

func serviceWith(edits ...edit) []byte {
	return objectWith(map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "s"},
		"spec": map[string]any{"ports": []any{map[string]any{"port": 80}}}}, edits)
}

func objectWith(root map[string]any, edits []edit) []byte {
	for _, e := range edits {
		setPath(root, e.path, e.value)
	}
	return mustJSON(root)
}

// fieldHosts says where a Kubernetes type sits in a pod manifest, so that a
// field of it can be set to prove its classification.
var fieldHosts = map[string]string{
	"Pod":                   "",
	"ObjectMeta":            "metadata",
	"PodSpec":               "spec",
	"Container":             "spec.containers[0]",
	"ContainerPort":         "spec.containers[0].ports[0]",
	"ResourceRequirements":  "spec.containers[0].resources",
	"EnvVarSource":          "spec.containers[0].env[0].valueFrom",
	"EnvFromSource":         "spec.containers[0].envFrom[0]",
	"VolumeMount":           "spec.containers[0].volumeMounts[0]",
	"Volume":                "spec.volumes[0]",
	"EmptyDirVolumeSource":  "spec.volumes[0].emptyDir",
	"ConfigMapVolumeSource": "spec.volumes[0].configMap",
	"SecretVolumeSource":    "spec.volumes[0].secret",
	"KeyToPath":             "spec.volumes[0].configMap.items[0]",
	"PodSecurityContext":    "spec.securityContext",
	"SecurityContext":       "spec.containers[0].securityContext",
	"Probe":                 "spec.containers[0].livenessProbe",
	"HTTPGetAction":         "spec.containers[0].livenessProbe.httpGet",
	"Lifecycle":             "spec.containers[0].lifecycle",
	"LifecycleHandler":      "spec.containers[0].lifecycle.preStop",

	// downwardAPI and projected volumes
	"DownwardAPIVolumeSource": "spec.volumes[0].downwardAPI",
	"DownwardAPIVolumeFile":   "spec.volumes[0].downwardAPI.items[0]",
	"ProjectedVolumeSource":   "spec.volumes[0].projected",
	"VolumeProjection":        "spec.volumes[0].projected.sources[0]",
}

// classifier walks a Kubernetes type and ours side by side.
type classifier struct {
	t        *testing.T
	problems []string
	visited  map[reflect.Type]bool
}

func TestEveryK8sFieldIsClassified(t *testing.T) {
	c := &classifier{t: t, visited: map[reflect.Type]bool{}}
	c.walk(reflect.TypeFor[corev1.Pod](), reflect.TypeFor[Pod]())
	c.walk(reflect.TypeFor[corev1.ConfigMap](), reflect.TypeFor[ConfigMap]())
	c.walk(reflect.TypeFor[corev1.Secret](), reflect.TypeFor[Secret]())
	c.walk(reflect.TypeFor[corev1.PersistentVolumeClaim](), reflect.TypeFor[PersistentVolumeClaim]())
	c.walk(reflect.TypeFor[corev1.Service](), reflect.TypeFor[Service]())
	if len(c.problems) > 0 {
		t.Errorf("schema drift between k8s.io/api and podspec:\n  %s", strings.Join(c.problems, "\n  "))
	}
}

func (c *classifier) walk(k8s, mine reflect.Type) {
	c.visited[k8s] = true
	kf, mf := structFields(k8s), structFields(mine)
	for _, name := range sortedKeys(kf) {
		my, ok := mf[name]
		switch {
		case !ok:
			c.problems = append(c.problems, fmt.Sprintf("%s.%s: not classified (add it to podspec.%s)", k8s.Name(), name, mine.Name()))
		case my.class == classImplemented:
			kt, mt := elemType(kf[name].typ), elemType(my.typ)
			if kt.Kind() == reflect.Struct && mt.Kind() == reflect.Struct && !c.visited[kt] {
				c.walk(kt, mt)
			}
		default:
			c.prove(k8s.Name(), name, kf[name].typ, my)
		}
	}
	for _, name := range sortedKeys(mf) {
		if _, ok := kf[name]; !ok {
			c.problems = append(c.problems, fmt.Sprintf("podspec.%s.%s: Kubernetes has no such field", mine.Name(), name))
		}
	}
}

// prove sets a warned, dropped or rejected field in a pod and checks that
// Parse reacts as the classification says.
func (c *classifier) prove(typeName, field string, k8sType reflect.Type, my fieldInfo) {
	doc := podWith
	host, ok := fieldHosts[typeName]
	if oh, isObject := objectHosts[typeName]; isObject {
		doc, host, ok = oh.doc, oh.path, true
	}
	if !ok {
		c.problems = append(c.problems, fmt.Sprintf("%s.%s: no host path to test it (add %s to fieldHosts)", typeName, field, typeName))
		return
	}
	path := fieldPath(host, field)
	_, warns, err := Parse(doc(edit{path, sampleValue(k8sType, my.class)}))
	var want string
	var got bool
	switch my.class {
	case classWarn:
		want = path + ": accepted but ignored on one node"
		got = slices.Contains(warns, want)
	case classDrop:
		want = path + ": ignored on input"
		got = slices.ContainsFunc(warns, func(w string) bool { return strings.HasPrefix(w, want) })
	default:
		want = path + ": not supported"
		got = err != nil && strings.Contains(err.Error(), want)
	}
	if !got {
		c.problems = append(c.problems, fmt.Sprintf("%s (%s): want %q, got warnings %q, error %v", path, my.class, want, warns, err))
	}
}

// sampleValue builds a value of a Kubernetes field's type that asks for the
// field: non-empty for rejected fields (empty {} may be allowed), and the
// simplest well-typed value for warned ones.
func sampleValue(t reflect.Type, cl class) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return true
	case reflect.String:
		return "x"
	case reflect.Int32, reflect.Int64:
		return 1
	}
	if t.Name() == "Time" {
		return "2024-01-01T00:00:00Z"
	}
	reject := cl == classReject || cl == classYet
	switch {
	case t.Kind() == reflect.Slice && reject:
		return []any{map[string]any{"sample": 1}}
	case t.Kind() == reflect.Slice:
		return []any{}
	case reject:
		return map[string]any{"sample": 1}
	}
	return map[string]any{}
}

func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || (t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8) {
		t = t.Elem()
	}
	return t
}
