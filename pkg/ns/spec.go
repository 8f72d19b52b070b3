package ns

import (
	"fmt"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// kindOf names each OCI namespace type as /proc/PID/ns does.
var kindOf = map[specs.LinuxNamespaceType]string{
	specs.IPCNamespace:     "ipc",
	specs.UTSNamespace:     "uts",
	specs.NetworkNamespace: "net",
	specs.PIDNamespace:     "pid",
	specs.CgroupNamespace:  "cgroup",
	specs.MountNamespace:   "mnt",
}

// FromSpec reads a container's namespace list (its config.json): the
// namespaces that carry a path are opened to be joined, the others are
// returned as clone flags, to be created at fork.
func FromSpec(list []specs.LinuxNamespace) (*Set, uintptr, error) {
	s := &Set{fds: map[string]*os.File{}}
	var flags uintptr
	for _, n := range list {
		k, ok := kindOf[n.Type]
		if !ok {
			s.Close()
			return nil, 0, fmt.Errorf("namespace %q: not supported", n.Type)
		}
		if n.Path == "" {
			flags |= uintptr(cloneFlag[k])
			continue
		}
		f, err := os.Open(n.Path)
		if err != nil {
			s.Close()
			return nil, 0, fmt.Errorf("open %s namespace: %w", k, err)
		}
		s.fds[k] = f
	}
	return s, flags, nil
}

// OfProcess opens, for an exec into a running container, every namespace
// the container's spec lists, as the container's process pid has them:
// an exec'd process shares all of them, joined or created.
func OfProcess(pid int, list []specs.LinuxNamespace) (*Set, error) {
	var kinds []string
	for _, n := range list {
		k, ok := kindOf[n.Type]
		if !ok {
			return nil, fmt.Errorf("namespace %q: not supported", n.Type)
		}
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("container %s lists no namespaces", strconv.Itoa(pid))
	}
	return Open(pid, kinds...)
}
