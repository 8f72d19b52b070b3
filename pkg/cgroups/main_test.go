package cgroups

import "runtime"

// The main goroutine keeps the main thread, as cmd/minipod's does: a
// thread that joined a cgroup must be thrown away when its goroutine ends,
// and Go never ends the main thread (it parks it forever, still in the
// cgroup).
func init() { runtime.LockOSThread() }
