package podspec

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// ExpandSubPath is the subPath a volumeMount's subPathExpr names, as the
// kubelet makes it: $(VAR) references are expanded from the container's
// declared environment (env "NAME=value" entries: the pod's variables and
// the Services', never the image's), a variable that is missing or empty
// is an error, and so is an expansion that is absolute or climbs with
// "..". The messages are the kubelet's; the container then waits in
// CreateContainerConfigError. Symbolic links inside the volume are the
// mount's to resolve (it stays inside the volume).
func ExpandSubPath(expr string, env []string) (string, error) {
	values := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		values[k] = v
	}
	var missing []string
	out, err := ExpandChecked(expr, func(name string) (string, bool) {
		v := values[name]
		if v == "" && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return v, true
	})
	if err != nil {
		return "", fmt.Errorf("subPathExpr %w", err)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return "", fmt.Errorf("missing value for %s", strings.Join(missing, ", "))
	}
	if path.IsAbs(out) {
		return "", fmt.Errorf("error SubPath `%s` must not be an absolute path", out)
	}
	for _, part := range strings.Split(out, "/") {
		if part == ".." {
			return "", fmt.Errorf("unable to provision SubPath `%s`: must not contain '..'", out)
		}
	}
	return out, nil
}
