package ns

import (
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// kindOf names each OCI namespace type as /proc/PID/ns does.
var kindOf = map[specs.LinuxNamespaceType]string{
	specs.IPCNamespace:     "ipc",
	specs.UTSNamespace:     "uts",
	specs.NetworkNamespace: "net",
	specs.PIDNamespace:     "pid",
	specs.CgroupNamespace:  "cgroup",
	specs.MountNamespace:   "mnt",
	specs.UserNamespace:    "user",
}

// FromSpec reads a container's namespace list (its config.json): the
// namespaces that carry a path are opened to be joined, the others are
// returned as clone flags, to be created at fork. A user namespace must
// carry a path: it is opened, not joined (see UserNS).
func FromSpec(list []specs.LinuxNamespace) (*Set, uintptr, error) {
	s := &Set{fds: map[string]*os.File{}}
	var flags uintptr
	for _, n := range list {
		k, ok := kindOf[n.Type]
		if !ok {
			s.Close()
			return nil, 0, fmt.Errorf("namespace %q: not supported", n.Type)
		}
		if n.Path == "" && k == "user" {
			s.Close()
			return nil, 0, fmt.Errorf("user namespace without a path: not supported")
		}
		if n.Path == "" {
			flags |= uintptr(cloneFlag[k])
			continue
		}
		f, err := openNS(unix.AT_FDCWD, n.Path)
		if err != nil {
			s.Close()
			return nil, 0, fmt.Errorf("open %s namespace: %w", k, err)
		}
		s.fds[k] = f
	}
	return s, flags, nil
}

// OfProcess opens, for an exec into a running container, every namespace
// the container's spec lists, as the container's process has them: an
// exec'd process shares all of them, joined or created. proc is the
// process's /proc/PID directory, opened (and checked to be the right
// process) by the caller, so that a reused PID cannot slip in.
func OfProcess(proc *os.File, list []specs.LinuxNamespace) (*Set, error) {
	s := &Set{fds: map[string]*os.File{}}
	for _, n := range list {
		k, ok := kindOf[n.Type]
		if !ok {
			s.Close()
			return nil, fmt.Errorf("namespace %q: not supported", n.Type)
		}
		if k == "user" && n.Path != "" {
			// The pod's, which the caller holds: a container process can
			// make a user namespace of its own (unshare), never to be
			// entered with the host's privilege.
			f, err := openNS(unix.AT_FDCWD, n.Path)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("open the pod's user namespace: %w", err)
			}
			s.fds[k] = f
			continue
		}
		fd, err := unix.Openat(int(proc.Fd()), "ns/"+k, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open %s namespace of %s: %w", k, proc.Name(), err)
		}
		s.fds[k] = os.NewFile(uintptr(fd), k)
	}
	if len(s.fds) == 0 {
		return nil, fmt.Errorf("container %s lists no namespaces", proc.Name())
	}
	return s, nil
}
