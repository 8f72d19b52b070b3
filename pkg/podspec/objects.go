package podspec

import (
	"errors"
	"fmt"
)

// ErrObjectNotFound is a ConfigMap, Secret or PersistentVolumeClaim a pod
// refers to that the node does not have (yet): the kubelet's "configmap
// \"x\" not found", after which it tries again.
var ErrObjectNotFound = errors.New("not found")

// Objects is where a pod's references to other objects are looked up: the
// node's store of ConfigMaps, Secrets and claims at run time, or a
// manifest's own documents. A missing object is an error wrapping
// ErrObjectNotFound; any other error is the store's.
type Objects interface {
	ConfigMap(namespace, name string) (*ConfigMap, error)
	Secret(namespace, name string) (*Secret, error)
	Claim(namespace, name string) (*PersistentVolumeClaim, error)
	// ServicesOf are the namespace's Services, for the variables the
	// kubelet gives containers (ServiceLinks); callers filter by
	// namespace again (the store takes "" for every namespace).
	ServicesOf(namespace string) ([]*Service, error)
}

// ValidObjectName checks a ConfigMap, Secret or claim name (a DNS-1123
// subdomain) before it becomes part of a path.
func ValidObjectName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if why := dns1123Subdomain(name); why != "" {
		return errors.New(why)
	}
	return nil
}

// ValidNamespace checks a namespace (a DNS-1123 label) likewise.
func ValidNamespace(ns string) error {
	if ns == "" {
		return errors.New("must not be empty")
	}
	if why := dns1123Label(ns); why != "" {
		return errors.New(why)
	}
	return nil
}

// IsUID reports whether s is a UID as minipod makes them (a UUID), safe
// in a path.
func IsUID(s string) bool { return uuidRe().MatchString(s) }

// ConfigMap finds a ConfigMap of the manifest: a manifest is Objects too.
func (m *Manifest) ConfigMap(namespace, name string) (*ConfigMap, error) {
	return lookup(m.ConfigMaps, "configmap", namespace, name, func(o *ConfigMap) string { return o.Namespace })
}

// Secret finds a Secret of the manifest.
func (m *Manifest) Secret(namespace, name string) (*Secret, error) {
	return lookup(m.Secrets, "secret", namespace, name, func(o *Secret) string { return o.Namespace })
}

// Claim finds a PersistentVolumeClaim of the manifest.
func (m *Manifest) Claim(namespace, name string) (*PersistentVolumeClaim, error) {
	return lookup(m.Claims, "persistentvolumeclaim", namespace, name, func(o *PersistentVolumeClaim) string { return o.Namespace })
}

// ServicesOf lists the manifest's Services of namespace.
func (m *Manifest) ServicesOf(namespace string) ([]*Service, error) {
	var out []*Service
	for _, name := range sortedKeys(m.Services) {
		if s := m.Services[name]; s.Namespace == namespace {
			out = append(out, s)
		}
	}
	return out, nil
}

func lookup[T any](objs map[string]*T, kind, namespace, name string, nsOf func(*T) string) (*T, error) {
	o, ok := objs[name]
	if !ok || nsOf(o) != namespace {
		return nil, Missing("%s %q not found", kind, name)
	}
	return o, nil
}

// MissingError is a not-found error with its own words (the kubelet's),
// which is ErrObjectNotFound.
type MissingError struct{ Msg string }

func (e *MissingError) Error() string        { return e.Msg }
func (e *MissingError) Is(target error) bool { return target == ErrObjectNotFound }

// Missing makes a not-found error worded as format says.
func Missing(format string, a ...any) error { return &MissingError{fmt.Sprintf(format, a...)} }
