package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// Kind is one kind of object the store keeps.
type Kind struct {
	Name   string // as kubectl names it in messages: configmap, secret, ...
	Plural string // directory and `get` name: configmaps, secrets, ...
	Kind   string // the object's kind field
	inRun  bool   // kept under the run root (in memory)
}

// The kinds the store keeps.
var (
	ConfigMaps = Kind{Name: "configmap", Plural: "configmaps", Kind: "ConfigMap"}
	Secrets    = Kind{Name: "secret", Plural: "secrets", Kind: "Secret", inRun: true}
	Claims     = Kind{Name: "persistentvolumeclaim", Plural: "persistentvolumeclaims", Kind: "PersistentVolumeClaim"}
	Services   = Kind{Name: "service", Plural: "services", Kind: "Service"}
)

// Kinds lists them in the order `get all`-like listings use.
var Kinds = []Kind{ConfigMaps, Secrets, Claims, Services}

// Store is the node's objects under roots.
type Store struct{ roots state.Roots }

// New returns the store under roots.
func New(roots state.Roots) Store { return Store{roots: roots} }

// dir is the directory of kind's objects in namespace ns.
func (s Store) dir(k Kind, ns string) string {
	if k.inRun {
		// A dot name: never a pod's directory, which the run root also holds.
		return filepath.Join(s.roots.Run, ".objects", k.Plural, ns)
	}
	return filepath.Join(s.roots.Data, "objects", k.Plural, ns)
}

// path is where one object lives; names are checked again here, the last
// step before they become a path.
func (s Store) path(k Kind, ns, name string) (string, error) {
	if err := podspec.ValidObjectName(name); err != nil {
		return "", fmt.Errorf("%s name %q: %w", k.Name, name, err)
	}
	if err := podspec.ValidNamespace(ns); err != nil {
		return "", fmt.Errorf("namespace %q: %w", ns, err)
	}
	return filepath.Join(s.dir(k, ns), name+".json"), nil
}

// read decodes one object into into; a missing one wraps
// podspec.ErrObjectNotFound with kubectl's words.
func (s Store) read(k Kind, ns, name string, into any) error {
	p, err := s.path(k, ns, name)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return podspec.Missing("%s %q not found", k.Name, name)
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", k.Name, name, err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("decode %s %s: %w", k.Name, name, err)
	}
	return nil
}

// write stores one object, root only.
func (s Store) write(k Kind, ns, name string, obj any) error {
	p, err := s.path(k, ns, name)
	if err != nil {
		return err
	}
	if k.inRun {
		if err := s.roots.SecureRun(); err != nil {
			return err
		}
	} else if err := s.roots.SecureData(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("store %s %s: %w", k.Name, name, err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", k.Name, name, err)
	}
	return state.WriteFile(p, data, 0o600)
}

// ConfigMap returns a stored ConfigMap.
func (s Store) ConfigMap(ns, name string) (*podspec.ConfigMap, error) {
	var cm podspec.ConfigMap
	return &cm, s.read(ConfigMaps, ns, name, &cm)
}

// Secret returns a stored Secret.
func (s Store) Secret(ns, name string) (*podspec.Secret, error) {
	var sec podspec.Secret
	return &sec, s.read(Secrets, ns, name, &sec)
}

// Claim returns a stored PersistentVolumeClaim.
func (s Store) Claim(ns, name string) (*podspec.PersistentVolumeClaim, error) {
	var c podspec.PersistentVolumeClaim
	return &c, s.read(Claims, ns, name, &c)
}

// Service returns a stored Service.
func (s Store) Service(ns, name string) (*podspec.Service, error) {
	var svc podspec.Service
	return &svc, s.read(Services, ns, name, &svc)
}

// Entry is one stored object as listings show it.
type Entry struct {
	Namespace, Name string
	Meta            podspec.ObjectMeta
	Object          any // *podspec.ConfigMap, *podspec.Secret or *podspec.PersistentVolumeClaim
}

// List returns kind's objects in namespace ns ("" for all), by namespace
// and name.
func (s Store) List(k Kind, ns string) ([]Entry, error) {
	var out []Entry
	spaces := []string{ns}
	if ns == "" {
		spaces = subdirs(filepath.Dir(s.dir(k, "x")))
	}
	for _, n := range spaces {
		ents, err := os.ReadDir(s.dir(k, n))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("list %s: %w", k.Plural, err)
		}
		for _, e := range ents {
			name, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok || strings.HasPrefix(name, ".") {
				continue
			}
			en, err := s.Entry(k, n, name)
			if errors.Is(err, podspec.ErrObjectNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				// One damaged file (a crash mid-write) must not stop every
				// listing, every sync and every pod's start.
				fmt.Fprintf(os.Stderr, "Warning: skipping %s %s/%s: %v\n", k.Name, n, name, err)
				continue
			}
			out = append(out, en)
		}
	}
	return out, nil
}

// Entry reads one object of kind k.
func (s Store) Entry(k Kind, ns, name string) (Entry, error) {
	en := Entry{Namespace: ns, Name: name}
	var err error
	switch k {
	case ConfigMaps:
		var o *podspec.ConfigMap
		o, err = s.ConfigMap(ns, name)
		en.Meta, en.Object = o.ObjectMeta, o
	case Secrets:
		var o *podspec.Secret
		o, err = s.Secret(ns, name)
		en.Meta, en.Object = o.ObjectMeta, o
	case Services:
		var o *podspec.Service
		o, err = s.Service(ns, name)
		en.Meta, en.Object = o.ObjectMeta, o
	default:
		var o *podspec.PersistentVolumeClaim
		o, err = s.Claim(ns, name)
		en.Meta, en.Object = o.ObjectMeta, o
	}
	return en, err
}

func subdirs(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if e.IsDir() && podspec.ValidNamespace(e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// ServicesOf returns the stored Services of namespace ns ("" for all).
func (s Store) ServicesOf(ns string) ([]*podspec.Service, error) {
	ents, err := s.List(Services, ns)
	if err != nil {
		return nil, err
	}
	out := make([]*podspec.Service, 0, len(ents))
	for _, e := range ents {
		out = append(out, e.Object.(*podspec.Service))
	}
	return out, nil
}
