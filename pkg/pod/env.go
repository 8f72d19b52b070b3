package pod

import "github.com/minipod/minipod/pkg/state"

// roots is read once per process.
var roots = state.DefaultRoots()
