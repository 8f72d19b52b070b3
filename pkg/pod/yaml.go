package pod

import (
	"encoding/json"

	"github.com/minipod/minipod/pkg/safeterm"
	"sigs.k8s.io/yaml"
)

// marshalYAML is yaml.Marshal for text that containers and manifests
// wrote: that converts through JSON, whose encoder leaves DEL and C1
// characters raw, and the YAML reader then refuses them ("control
// characters are not allowed": a container's termination message made
// `get -o yaml` fail). Escaped in the JSON (\u009b), they mean the same.
func marshalYAML(v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML([]byte(safeterm.String(string(j))))
}
