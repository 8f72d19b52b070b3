package podspec_test

// Every test of this package parses YAML: the decoder is package yamlin's,
// which hands itself to podspec.Parse when linked.
import _ "github.com/minipod/minipod/pkg/podspec/yamlin"
