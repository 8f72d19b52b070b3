package store

import (
	"errors"
	"maps"
	"os"
	"slices"

	"github.com/minipod/minipod/pkg/podspec"
)

// Applied is one object of a batch and what applying it did.
type Applied struct {
	Kind   Kind
	Name   string
	Result Result
}

// change is one applied object, and how to take it back.
type change struct {
	Applied
	ns  string
	old any // the object before, when it was replaced
}

// ApplyBatch applies every ConfigMap, Secret, claim and Service of m
// under one hold of the node lock, all or none: an object the API server
// would refuse (an immutable one changed, a node port already taken)
// takes back the ones applied before it, so a refused file keeps nothing.
func (s Store) ApplyBatch(m *podspec.Manifest) ([]Applied, error) {
	lock, err := s.roots.LockNode()
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	var done []change
	steps := batchSteps(s, m)
	for _, st := range steps {
		old, _ := s.Entry(st.kind, st.ns, st.name)
		res, err := st.apply()
		if err != nil {
			return nil, errors.Join(err, s.undo(done))
		}
		done = append(done, change{Applied{st.kind, st.name, res}, st.ns, old.Object})
	}
	out := make([]Applied, len(done))
	for i, c := range done {
		out[i] = c.Applied
	}
	return out, nil
}

type step struct {
	kind     Kind
	ns, name string
	apply    func() (Result, error)
}

// batchSteps orders a manifest's objects as kubectl apply's output does
// here: by kind, then by name.
func batchSteps(s Store, m *podspec.Manifest) []step {
	var out []step
	for _, n := range slices.Sorted(maps.Keys(m.ConfigMaps)) {
		o := m.ConfigMaps[n]
		out = append(out, step{ConfigMaps, o.Namespace, n, func() (Result, error) { return s.applyConfigMap(o, false) }})
	}
	for _, n := range slices.Sorted(maps.Keys(m.Secrets)) {
		o := m.Secrets[n]
		out = append(out, step{Secrets, o.Namespace, n, func() (Result, error) { return s.applySecret(o, false) }})
	}
	for _, n := range slices.Sorted(maps.Keys(m.Claims)) {
		o := m.Claims[n]
		out = append(out, step{Claims, o.Namespace, n, func() (Result, error) { return s.applyClaim(o) }})
	}
	for _, n := range slices.Sorted(maps.Keys(m.Services)) {
		o := m.Services[n]
		out = append(out, step{Services, o.Namespace, n, func() (Result, error) { return s.applyService(o) }})
	}
	return out
}

// undo takes back applied changes, last first: a created object is
// removed, a replaced one written back as it was.
func (s Store) undo(done []change) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		c := done[i]
		switch c.Result {
		case Created:
			if p, err := s.path(c.Kind, c.ns, c.Name); err == nil {
				errs = append(errs, os.Remove(p))
			}
		case Configured:
			errs = append(errs, s.write(c.Kind, c.ns, c.Name, c.old))
		}
	}
	return errors.Join(errs...)
}
