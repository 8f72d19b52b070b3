package pod

import "github.com/minipod/minipod/pkg/state"

// MonitorRole is the argv[1] that makes the minipod binary a pod monitor.
const MonitorRole = "monitor"

// selfExe is the binary re-executed for the monitor, pause and init roles.
// /proc/self/exe keeps working even if the file is replaced while pods run.
const selfExe = "/proc/self/exe"

// roots is read once per process.
var roots = state.DefaultRoots()
