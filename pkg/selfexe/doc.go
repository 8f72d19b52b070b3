// Package selfexe gives minipod a read-only handle on its own binary to
// re-execute the processes that live inside a pod (pause, container
// init), so that no container can reach the host's minipod binary through
// /proc/PID/exe of such a process and overwrite or chmod it (the
// CVE-2019-5736 class).
//
// The handle is a detached, read-only, nosuid, nodev bind mount of the
// running binary (open_tree with OPEN_TREE_CLONE, mount_setattr), as runc
// and crun seal theirs with a read-only clone. It is O(1): no copy, and
// the page cache is shared with the binary, so it costs no memory. A
// process executed through it has, as /proc/PID/exe, a file on a mount
// that is in no mount namespace and refuses every write (EROFS), and whose
// path names nothing of the host.
package selfexe
