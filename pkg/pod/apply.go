package pod

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/store"
)

// applyObjects keeps the manifest's ConfigMaps, Secrets and claims on the
// node, created or replaced as `kubectl apply` does, before any pod of
// the manifest starts, and prints one line each, as kubectl does.
func applyObjects(m *podspec.Manifest, out io.Writer) error {
	s := store.New(roots)
	if err := applyAll(out, store.ConfigMaps, m.ConfigMaps, s.ApplyConfigMap); err != nil {
		return err
	}
	if err := applyAll(out, store.Secrets, m.Secrets, s.ApplySecret); err != nil {
		return err
	}
	if err := applyAll(out, store.Claims, m.Claims, s.ApplyClaim); err != nil {
		return err
	}
	if len(m.Services) == 0 {
		return nil
	}
	if err := applyAll(out, store.Services, m.Services, s.ApplyService); err != nil {
		return err
	}
	return services.Sync(roots)
}

func applyAll[T any](out io.Writer, k store.Kind, objs map[string]T, apply func(T) (store.Result, error)) error {
	for _, name := range slices.Sorted(maps.Keys(objs)) {
		res, err := apply(objs[name])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s/%s %s\n", k.Name, name, res)
	}
	return nil
}
