package monitor

import (
	"strings"
	"sync"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// filters are the RuntimeDefault seccomp programs of a pod's containers,
// compiled once per set of capabilities: moby's default profile depends on
// nothing else of the container (and the kernel's version). Building the
// profile and compiling it costs ~0.5-1 ms of a monitor's first container
// start (cold code) and ~0.2 ms of each later one; prefetch does it while
// the pod's cgroup, pause and network are made, mostly the kernel's work.
// Localhost profiles are read and compiled at each start: their file may
// change between restarts.
type filters struct {
	mu sync.Mutex
	m  map[string]func() (*seccomp.Program, error)
}

// runtimeDefault is the RuntimeDefault program for a container whose
// bounding capabilities are caps.
func (f *filters) runtimeDefault(caps []string) (*seccomp.Program, error) {
	key := strings.Join(caps, ",")
	f.mu.Lock()
	get, ok := f.m[key]
	if !ok {
		caps = append([]string(nil), caps...)
		get = sync.OnceValues(func() (*seccomp.Program, error) {
			spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
			prof, err := seccomp.Choose(seccomp.RuntimeDefault, "", "", spec)
			if err != nil {
				return nil, err
			}
			return seccomp.Compile(prof)
		})
		if f.m == nil {
			f.m = map[string]func() (*seccomp.Program, error){}
		}
		f.m[key] = get
	}
	f.mu.Unlock()
	return get()
}

// prefetch compiles, off the caller's goroutine, the RuntimeDefault
// programs the pod's containers will ask for. A guess that misses (the
// node setting changed meanwhile, say) costs only the work: the start
// asks with what it finds then.
func (f *filters) prefetch(p *podspec.Pod) {
	var want [][]string
	for _, c := range p.Spec.AllContainers() {
		kind, _, err := seccompKind(p, c)
		if err != nil || kind != seccomp.RuntimeDefault {
			continue
		}
		caps, err := plannedCaps(p, c)
		if err != nil {
			return
		}
		want = append(want, caps)
	}
	if len(want) == 0 {
		return
	}
	go func() {
		for _, caps := range want {
			_, _ = f.runtimeDefault(caps)
		}
	}()
}
