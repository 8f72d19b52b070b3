package store

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
)

// Result is what applying an object did, in kubectl's words.
type Result string

// The outcomes of Apply.
const (
	Created    Result = "created"
	Configured Result = "configured"
	Unchanged  Result = "unchanged"
)

// ErrExists is a `create` of an object that is there already.
var ErrExists = errors.New("already exists")

// locked runs an apply under the node lock: of two commands applying one
// new object, one creates it (one UID, one claim volume) and the other
// replaces it, and no check of the old object races a write.
func (s Store) locked(apply func() (Result, error)) (Result, error) {
	lock, err := s.roots.LockNode()
	if err != nil {
		return "", err
	}
	defer lock.Close()
	return apply()
}

// CreateConfigMap stores cm unless one of its name exists, as `kubectl
// create` does.
func (s Store) CreateConfigMap(cm *podspec.ConfigMap) error {
	_, err := s.locked(func() (Result, error) { return s.applyConfigMap(cm, true) })
	return err
}

// CreateSecret stores sec unless one of its name exists.
func (s Store) CreateSecret(sec *podspec.Secret) error {
	_, err := s.locked(func() (Result, error) { return s.applySecret(sec, true) })
	return err
}

// ApplyConfigMap stores cm, creating or replacing it as `kubectl apply`
// does; an immutable ConfigMap's data cannot change.
func (s Store) ApplyConfigMap(cm *podspec.ConfigMap) (Result, error) {
	return s.locked(func() (Result, error) { return s.applyConfigMap(cm, false) })
}

func (s Store) applyConfigMap(cm *podspec.ConfigMap, createOnly bool) (Result, error) {
	old, err := s.ConfigMap(cm.Namespace, cm.Name)
	if err != nil && !errors.Is(err, podspec.ErrObjectNotFound) {
		return "", err
	}
	if err == nil && createOnly {
		return "", exists(ConfigMaps, cm.Name)
	}
	if err == nil {
		if isTrue(old.Immutable) && (!reflect.DeepEqual(old.Data, cm.Data) || !reflect.DeepEqual(old.BinaryData, cm.BinaryData) || !isTrue(cm.Immutable)) {
			return "", immutable(ConfigMaps, cm.Name, "data", "field is immutable when `immutable` is set")
		}
		return s.replace(ConfigMaps, &old.ObjectMeta, &cm.ObjectMeta, old, cm)
	}
	return s.create(ConfigMaps, &cm.ObjectMeta, cm)
}

// ApplySecret stores sec; as for ConfigMaps, plus its type never changes.
func (s Store) ApplySecret(sec *podspec.Secret) (Result, error) {
	return s.locked(func() (Result, error) { return s.applySecret(sec, false) })
}

func (s Store) applySecret(sec *podspec.Secret, createOnly bool) (Result, error) {
	old, err := s.Secret(sec.Namespace, sec.Name)
	if err != nil && !errors.Is(err, podspec.ErrObjectNotFound) {
		return "", err
	}
	if err == nil && createOnly {
		return "", exists(Secrets, sec.Name)
	}
	if err == nil {
		if old.Type != sec.Type {
			return "", immutable(Secrets, sec.Name, "type", fmt.Sprintf("Invalid value: %q: field is immutable", sec.Type))
		}
		if isTrue(old.Immutable) && (!reflect.DeepEqual(old.Data, sec.Data) || !isTrue(sec.Immutable)) {
			return "", immutable(Secrets, sec.Name, "data", "field is immutable when `immutable` is set")
		}
		return s.replace(Secrets, &old.ObjectMeta, &sec.ObjectMeta, old, sec)
	}
	return s.create(Secrets, &sec.ObjectMeta, sec)
}

// ApplyClaim stores c; a claim's spec is fixed once made, but for its
// storage request (which a local volume does not enforce).
func (s Store) ApplyClaim(c *podspec.PersistentVolumeClaim) (Result, error) {
	return s.locked(func() (Result, error) { return s.applyClaim(c) })
}

func (s Store) applyClaim(c *podspec.PersistentVolumeClaim) (Result, error) {
	old, err := s.Claim(c.Namespace, c.Name)
	if err != nil && !errors.Is(err, podspec.ErrObjectNotFound) {
		return "", err
	}
	if err == nil {
		was, now := old.Spec, c.Spec
		was.Resources.Requests, now.Resources.Requests = nil, nil
		if !reflect.DeepEqual(was, now) {
			return "", immutable(Claims, c.Name, "spec", "spec is immutable after creation except resources.requests")
		}
		return s.replace(Claims, &old.ObjectMeta, &c.ObjectMeta, old, c)
	}
	return s.create(Claims, &c.ObjectMeta, c)
}

func (s Store) create(k Kind, meta *podspec.ObjectMeta, obj any) (Result, error) {
	meta.CreationTimestamp = time.Now().UTC().Format(time.RFC3339)
	uid, err := podspec.NewUID() // a uid given on input is not kept, as on create
	if err != nil {
		return "", err
	}
	meta.UID = uid
	return Created, s.write(k, meta.Namespace, meta.Name, obj)
}

// replace keeps what the node gave the object when it was made (its UID
// and age) and writes the new content if it differs.
func (s Store) replace(k Kind, old, meta *podspec.ObjectMeta, oldObj, obj any) (Result, error) {
	meta.CreationTimestamp, meta.UID = old.CreationTimestamp, old.UID
	if reflect.DeepEqual(oldObj, obj) {
		return Unchanged, nil
	}
	return Configured, s.write(k, meta.Namespace, meta.Name, obj)
}

func exists(k Kind, name string) error {
	return fmt.Errorf("failed to create %s: %s %q %w", k.Name, k.Plural, name, ErrExists)
}

func immutable(k Kind, name, field, why string) error {
	return fmt.Errorf("%s %q is invalid: %s: Forbidden: %s", k.Plural, name, field, why)
}

func isTrue(b *bool) bool { return b != nil && *b }
