// Package mounts builds a container's filesystem view from inside its new
// mount namespace: the overlay root, /proc, a minimal /dev, read-only /sys,
// /dev/mqueue, the pod's /dev/shm, volumes and the per-pod /etc files, masked
// and read-only paths, then pivot_root.
//
// Every destination (and every subPath) comes from an untrusted image or
// volume, so it is resolved inside the root by the kernel (openat2
// RESOLVE_IN_ROOT), created there if missing (filepath-securejoin's
// pathrs-lite), and mounted onto the resulting file descriptor — never onto a path
// string that a symlink could redirect to the host (CVE-2017-1002101,
// CVE-2021-30465).
package mounts

// SubPathOption is a mount option minipod adds to bind mounts whose source is
// a subPath of a volume. Like mount(8)'s "x-" options it is for userspace
// only and is stripped before anything reaches the kernel.
const SubPathOption = "x-minipod.subpath="

// Annotations on the OCI spec that describe the overlay root.
const (
	AnnotationLower = "io.minipod.rootfs.lowerdir"
	AnnotationUpper = "io.minipod.rootfs.upperdir"
	AnnotationWork  = "io.minipod.rootfs.workdir"
)
