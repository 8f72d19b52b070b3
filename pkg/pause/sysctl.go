package pause

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// setSysctls writes NAME=VALUE sysctls under /proc/sys, in pause's
// namespaces: the pod's network and IPC ones, which is where the
// namespaced sysctls Kubernetes allows take effect for every container
// (the kubelet sets them on the sandbox too). Names were checked against
// the allowed set before; the path is still resolved beneath /proc/sys so
// that no name can reach elsewhere.
func setSysctls(args []string) error {
	if len(args) == 0 {
		return nil
	}
	root, err := unix.Open("/proc/sys", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /proc/sys: %w", err)
	}
	defer unix.Close(root)
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return fmt.Errorf("sysctl %q: want NAME=VALUE", a)
		}
		if err := writeSysctl(root, name, value); err != nil {
			return err
		}
	}
	return nil
}

// writeSysctl writes one sysctl. A name with '/' uses '/' as separator
// (and '.' is part of a component, as in an interface name); otherwise '.'
// separates, as sysctl(8) reads names.
func writeSysctl(root int, name, value string) error {
	rel := name
	if !strings.Contains(name, "/") {
		rel = strings.ReplaceAll(name, ".", "/")
	}
	how := &unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(root, rel, how)
	if err != nil {
		return fmt.Errorf("sysctl %s: %w", name, err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(value)); err != nil {
		return fmt.Errorf("sysctl %s = %q: %w", name, value, err)
	}
	return nil
}
