package monitor

// Tests here parse YAML manifests: package yamlin links the decoder,
// which the monitor itself goes without.
import _ "github.com/minipod/minipod/pkg/podspec/yamlin"
