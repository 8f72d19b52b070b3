package podspec

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/minipod/minipod/pkg/leanjson"
)

// Manifest is the content of one multi-document YAML file.
type Manifest struct {
	Pods       []*Pod
	ConfigMaps map[string]*ConfigMap             // by metadata.name
	Secrets    map[string]*Secret                // by metadata.name
	Claims     map[string]*PersistentVolumeClaim // by metadata.name
	Services   map[string]*Service               // by metadata.name

	dups []kindName // objects seen twice, reported by validate
}

// kindName names an object of a manifest.
type kindName struct{ kind, name string }

// objectKinds are the kinds a manifest may hold besides Pods, kept on the
// node until deleted.
var objectKinds = []string{"ConfigMap", "Secret", "PersistentVolumeClaim", "Service"}

// newObject returns an empty object of a kind a manifest may hold.
func newObject(kind string) any {
	switch kind {
	case "ConfigMap":
		return &ConfigMap{}
	case "Secret":
		return &Secret{}
	case "PersistentVolumeClaim":
		return &PersistentVolumeClaim{}
	case "Service":
		return &Service{}
	}
	return &Pod{}
}

// document is one non-empty YAML document on its way to a typed object.
type document struct {
	index      int // 1-based, counting empty documents too
	tree       object
	kind       string
	duplicates []string // paths of duplicate keys
}

// Options are node settings that change what a manifest may ask for.
type Options struct {
	// Sysctls is what spec.securityContext.sysctls may set; nil admits the
	// kubelet's safe set only (NewSysctlAllowlist(nil)).
	Sysctls *SysctlAllowlist
}

// Parse decodes multi-document YAML holding v1 Pod, ConfigMap, Secret and
// PersistentVolumeClaim documents, strictly; applies Kubernetes defaults; validates, as the API
// server and then the kubelet's admission would, on a node with default
// settings. The warnings name fields that are accepted but have no effect
// on one node. With more than one document, each error is prefixed with
// the object it belongs to.
func Parse(data []byte) (*Manifest, []string, error) {
	return ParseWith(data, Options{})
}

// ParseWith is Parse on a node whose settings are opts.
func ParseWith(data []byte, opts Options) (*Manifest, []string, error) {
	if opts.Sysctls == nil {
		opts.Sysctls = safeAllowlist()
	}
	docs, err := readDocuments(data)
	if err != nil {
		return nil, nil, err
	}
	m := NewManifest()
	var warns []string
	var errs errList
	multi := len(docs) > 1
	for _, d := range docs {
		w, derrs := m.decode(d, multi)
		warns = append(warns, w...)
		errs.add(derrs...)
	}
	if len(errs) > 0 {
		return nil, warns, errs.err()
	}
	errs.add(m.validate(multi, opts)...)
	if len(errs) > 0 {
		return nil, warns, errs.err()
	}
	return m, warns, nil
}

// NewManifest returns an empty manifest.
func NewManifest() *Manifest {
	return &Manifest{ConfigMaps: map[string]*ConfigMap{}, Secrets: map[string]*Secret{}, Claims: map[string]*PersistentVolumeClaim{}, Services: map[string]*Service{}}
}

// readDocuments splits the file and checks each document's apiVersion and
// kind, which decide the schema the rest is checked against. The sizes are
// checked first, before anything expands the file's aliases.
func readDocuments(data []byte) ([]document, error) {
	if decodeYAML == nil {
		return nil, ErrNoYAML
	}
	raw, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	var docs []document
	var errs errList
	for i, r := range raw {
		if r.Value == nil {
			continue
		}
		tree, ok := fromYAML(r.Value).(object)
		raw[i].Value = nil // the tree holds it now: half the peak of a 3 MiB file
		if !ok {
			return nil, fmt.Errorf("document %d: expected a mapping (an object with apiVersion and kind)", i+1)
		}
		d := document{index: i + 1, tree: tree, duplicates: r.Duplicates}
		d.kind = lookupString(d.tree, "kind")
		errs.add(checkTypeMeta(d))
		docs = append(docs, d)
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	if len(docs) == 0 {
		return nil, errors.New("no object found: the manifest is empty")
	}
	return docs, nil
}

// takes says what a manifest may hold.
const takes = "minipod runs v1 Pods (and keeps v1 ConfigMaps, Secrets, PersistentVolumeClaims and Services for them)"

// checkTypeMeta refuses what is not a v1 Pod or an object kept for pods,
// naming the document by its kind (and name) and saying what minipod runs;
// a workload's Pod template can be run as a Pod.
func checkTypeMeta(d document) error {
	apiVersion := lookupString(d.tree, "apiVersion")
	switch {
	case d.kind == "":
		return fmt.Errorf("document %d: kind: Required value: %s", d.index, takes)
	case d.kind != "Pod" && !slices.Contains(objectKinds, d.kind):
		return fmt.Errorf("%s: kind: Unsupported value: %q (%s): %s%s",
			d.where(), d.kind, orNone(apiVersion), takes, workloadHint(d.kind))
	case apiVersion != "v1":
		return fmt.Errorf("%s: apiVersion: Unsupported value: %q: supported values: \"v1\" (a %s is v1)", d.where(), apiVersion, d.kind)
	}
	return nil
}

// workloadHint says how to run a workload's Pod template.
func workloadHint(kind string) string {
	switch kind {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController":
		return "; its spec.template is a Pod's metadata and spec: run it as a Pod"
	case "CronJob":
		return "; its spec.jobTemplate.spec.template is a Pod's metadata and spec: run it as a Pod"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "no apiVersion"
	}
	return s
}

// where names a document by its place, and its kind and name when it has
// them: `document 2 (Deployment "web")`.
func (d document) where() string {
	if l := d.label(); !strings.HasPrefix(l, "document ") {
		return fmt.Sprintf("document %d (%s)", d.index, l)
	}
	return fmt.Sprintf("document %d", d.index)
}

// label names a document in messages: `Pod "web"`, or its index when it has
// no usable name.
func (d document) label() string {
	var name string
	for _, p := range d.tree {
		if meta, ok := p.val.(object); ok && p.key == "metadata" {
			name = lookupString(meta, "name")
		}
	}
	if name == "" {
		return fmt.Sprintf("document %d (%s)", d.index, d.kind)
	}
	return fmt.Sprintf("%s %q", d.kind, name)
}

// decode runs one document through the strict walk, the typed decode and
// the defaults, and adds it to the manifest.
func (m *Manifest) decode(d document, multi bool) ([]string, []error) {
	prefix := ""
	if multi {
		prefix = d.label()
	}
	target := newObject(d.kind)
	w := &walker{}
	for _, p := range d.duplicates {
		w.errs.add(&FieldError{Path: p, Kind: "duplicate field"})
	}
	tree := w.value("", reflect.TypeOf(target).Elem(), false, d.tree)
	warns := prefixWarnings(prefix, w.warns)
	if len(w.errs) > 0 {
		return warns, prefixed(prefix, w.errs)
	}
	if err := decodeTyped(tree, target); err != nil {
		return warns, prefixed(prefix, []error{err})
	}
	switch obj := target.(type) {
	case *Pod:
		warns = append(warns, prefixWarnings(prefix, defaultPod(obj))...)
		warns = append(warns, prefixWarnings(prefix, hostPathWarnings(obj))...)
		warns = append(warns, prefixWarnings(prefix, readOnlyWarnings(obj))...)
		warns = append(warns, prefixWarnings(prefix, nodeNameWarnings(obj))...)
		warns = append(warns, prefixWarnings(prefix, apiWarnings(obj))...)
		m.Pods = append(m.Pods, obj)
	case *ConfigMap:
		defaultObjectMeta(&obj.ObjectMeta)
		addObject(m, m.ConfigMaps, "ConfigMap", obj.Name, obj)
	case *Secret:
		defaultObjectMeta(&obj.ObjectMeta)
		defaultSecret(obj)
		addObject(m, m.Secrets, "Secret", obj.Name, obj)
	case *PersistentVolumeClaim:
		defaultObjectMeta(&obj.ObjectMeta)
		defaultClaim(obj)
		addObject(m, m.Claims, "PersistentVolumeClaim", obj.Name, obj)
	case *Service:
		defaultObjectMeta(&obj.ObjectMeta)
		defaultService(obj)
		addObject(m, m.Services, "Service", obj.Name, obj)
	}
	return warns, nil
}

// decodeTyped turns the checked tree into our structs. The walk already
// rejected anything encoding/json would, so an error here is a bug in the
// schema rules; it is still reported rather than ignored. leanjson, not
// encoding/json: `up` decodes one manifest per process, and encoding/json
// first builds its caches of the Pod's many types (1.2 ms of `up` here,
// against 0.2).
func decodeTyped(tree any, target any) error {
	raw, err := leanjson.Marshal(tree)
	if err != nil {
		return fmt.Errorf("re-encoding manifest as JSON: %w", err)
	}
	if err := leanjson.UnmarshalStrict(raw, target); err != nil {
		return fmt.Errorf("decoding manifest: %w", err)
	}
	return nil
}

// addObject keeps the first object of a kind and name; validate reports
// the duplicate.
func addObject[T any](m *Manifest, into map[string]T, kind, name string, obj T) {
	if _, dup := into[name]; dup {
		m.dups = append(m.dups, kindName{kind, name})
		return
	}
	into[name] = obj
}

func prefixWarnings(prefix string, warns []string) []string {
	if prefix == "" {
		return warns
	}
	out := make([]string, len(warns))
	for i, w := range warns {
		out[i] = prefix + ": " + w
	}
	return out
}
