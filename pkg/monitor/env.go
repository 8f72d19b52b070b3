package monitor

import "github.com/minipod/minipod/pkg/state"

// Role is the argv[1] that makes the minipod binary a pod monitor.
const Role = "monitor"

// selfExe is the binary the monitor re-executes for the pause and init
// roles: its own, which `up` sealed, so what runs inside pods is the
// sealed copy. /proc/self/exe keeps working even if the file is replaced
// while pods run.
const selfExe = "/proc/self/exe"

// roots is read once per process.
var roots = state.DefaultRoots()
