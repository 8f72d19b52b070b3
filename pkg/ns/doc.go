// Package ns is the only place in minipod that changes a thread's namespaces.
//
// The Go runtime multiplexes goroutines over OS threads, but namespaces belong
// to threads. So every namespace change here follows one recipe:
//
//  1. open the target namespaces as fds (/proc/PID/ns/KIND) first, while the
//     caller is still in its own mount namespace and can see /proc;
//  2. start a fresh goroutine and runtime.LockOSThread it;
//  3. unshare(CLONE_FS) when joining a mount namespace (setns into a mount
//     namespace is refused to a thread that shares its fs_struct);
//  4. setns in the order ipc, uts, net, pid, cgroup, mnt — mnt last,
//     because after it /proc may no longer be the host's;
//  5. run the callback, which forks (the child inherits the thread's
//     namespaces; a joined PID namespace applies only to children);
//  6. never UnlockOSThread: the goroutine returns while locked, so the runtime
//     destroys the tainted thread instead of reusing it for other goroutines
//     (OnThread; it also serves other per-thread state: cgroups, capabilities,
//     seccomp, keyrings).
//
// Which namespaces a container joins and which it creates is written once,
// in its config.json (FromSpec); exec joins all of them (OfProcess).
package ns
