package pod

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/store"
)

// DeleteObjects deletes ConfigMaps, Secrets or claims by name, as
// `kubectl delete KIND NAME...`: the others are still deleted when one is
// missing.
func DeleteObjects(k store.Kind, names []string, ignoreNotFound bool, out io.Writer) error {
	var errs []error
	for _, n := range names {
		errs = append(errs, deleteObject(k, podspec.DefaultNamespace, n, ignoreNotFound, out))
	}
	if k == store.Services {
		syncWarn(os.Stderr)
	}
	return errors.Join(errs...)
}

func deleteObject(k store.Kind, ns, name string, ignoreNotFound bool, out io.Writer) error {
	err := store.New(roots).Delete(k, ns, name, func() (string, error) { return claimUser(ns, name) })
	switch {
	case errors.Is(err, podspec.ErrObjectNotFound) && ignoreNotFound:
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "%s %q deleted\n", k.Name, name)
	return nil
}

// deleteManifestObjects deletes the objects of the manifests `down -f`
// was given.
func deleteManifestObjects(m *podspec.Manifest, o DownOptions) []error {
	var errs []error
	for _, k := range []struct {
		kind  store.Kind
		names []string
	}{
		{store.ConfigMaps, slices.Sorted(maps.Keys(m.ConfigMaps))},
		{store.Secrets, slices.Sorted(maps.Keys(m.Secrets))},
		{store.Claims, slices.Sorted(maps.Keys(m.Claims))},
		{store.Services, slices.Sorted(maps.Keys(m.Services))},
	} {
		for _, n := range k.names {
			if err := deleteObject(k.kind, namespaceOf(m, k.kind, n), n, o.IgnoreNotFound, o.Out); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func namespaceOf(m *podspec.Manifest, k store.Kind, name string) string {
	switch k {
	case store.ConfigMaps:
		return m.ConfigMaps[name].Namespace
	case store.Secrets:
		return m.Secrets[name].Namespace
	case store.Services:
		return m.Services[name].Namespace
	}
	return m.Claims[name].Namespace
}

// claimUser names a pod that mounts claim ns/name, read from the stored
// manifests of the pods on the node (a pod being made has no manifest
// yet: it binds the claim under the node lock, after this).
func claimUser(ns, name string) (string, error) {
	pods, err := roots.List()
	if err != nil {
		return "", err
	}
	for _, pn := range pods {
		p, err := roots.LoadManifest(pn)
		if errors.Is(err, os.ErrNotExist) {
			continue // gone meanwhile, or being made: it binds under the node lock, after this
		}
		if err != nil {
			// Unreadable: it may mount the claim, whose data must stay.
			return pn, nil
		}
		if p.Namespace == ns && usesClaim(p, name) {
			return pn, nil
		}
	}
	return "", nil
}
