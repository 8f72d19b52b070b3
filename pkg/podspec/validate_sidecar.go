package podspec

import "strings"

// checkContainerRestartPolicy applies the API server's rule for a
// container's own restartPolicy: an init container may set Always (a
// native sidecar) and nothing else; an app container may not set it
// (per-container restart rules are an alpha feature minipod does not
// have).
func checkContainerRestartPolicy(_ *podContext, ctr *Container, path string) []error {
	if ctr.RestartPolicy == nil {
		return nil
	}
	p := path + ".restartPolicy"
	if !isInitPath(path) {
		return []error{forbidden(p, "may not be set for non-init containers")}
	}
	if *ctr.RestartPolicy != "Always" {
		return []error{unsupported(p, *ctr.RestartPolicy, "Always")}
	}
	return nil
}

func isInitPath(path string) bool { return strings.HasPrefix(path, "spec.initContainers") }

// isPlainInit: an init container that runs to completion, which may have
// no probes and no lifecycle hooks.
func isPlainInit(ctr *Container, path string) bool { return isInitPath(path) && !ctr.IsSidecar() }
