package podspec

import "strings"

func isInitPath(path string) bool { return strings.HasPrefix(path, "spec.initContainers") }

// isPlainInit: an init container that runs to completion, which may have
// no probes and no lifecycle hooks.
func isPlainInit(ctr *Container, path string) bool { return isInitPath(path) && !ctr.IsSidecar() }
