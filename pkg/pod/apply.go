package pod

import (
	"fmt"
	"io"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/store"
)

// applyObjects keeps the manifest's ConfigMaps, Secrets, claims and
// Services on the node, created or replaced as `kubectl apply` does, all
// or none, before any pod of the manifest starts, and prints one line
// each, as kubectl does.
func applyObjects(m *podspec.Manifest, out, warn io.Writer) error {
	applied, err := store.New(roots).ApplyBatch(m)
	if err != nil {
		return err
	}
	for _, a := range applied {
		fmt.Fprintf(out, "%s/%s %s\n", a.Kind.Name, a.Name, a.Result)
	}
	if len(m.Services) > 0 {
		syncWarn(warn)
	}
	return nil
}

// syncWarn makes the node's rules follow the Services; a failure is a
// warning: the objects are kept, and the next sync (any pod's readiness,
// any command that changes a Service) catches up.
func syncWarn(warn io.Writer) {
	if err := services.Sync(roots); err != nil {
		fmt.Fprintf(warn, "Warning: %v\n", err)
	}
}
