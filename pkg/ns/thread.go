package ns

import "runtime"

// OnThread runs fn on a fresh OS thread that is thrown away afterwards.
// Everything Linux keeps per thread (namespaces, cgroup v1 membership,
// capabilities, seccomp filters, the session keyring, the working
// directory once CLONE_FS is unshared) may be changed by fn: a process
// forked by fn inherits it, and no other goroutine ever runs there.
//
// The main goroutine must keep the main thread locked for the process's
// whole life (cmd/minipod locks it in init): Go ends a thread whose
// goroutine exits while locked, except the main thread, which it parks
// forever, still in whatever namespaces and cgroups fn left it in.
func OnThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the runtime kills this thread when we return.
		errc <- fn()
	}()
	return <-errc
}
