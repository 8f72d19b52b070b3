package monitor

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/minipod/minipod/pkg/podspec"
)

// gate holds the pod's first containers at the last step before their
// commands run, while the pod's network is still being attached: each
// init builds its root filesystem meanwhile (most of a container's start)
// and reads one byte from its own pipe before it goes on. Attaching the
// network and building the roots are both mostly the kernel's work, and
// one waited for the other.
//
// A start after the gate opened gets no pipe. If the network fails, the
// gate closes every pipe unwritten: the inits read EOF and end, and no
// command of the pod has run.
type gate struct {
	mu      sync.Mutex
	writers []*os.File
	settled bool  // opened or failed
	err     error // why it failed
	done    chan struct{}
}

var errSandboxFailed = errors.New("the pod's sandbox could not be set up")

func newGate() *gate { return &gate{done: make(chan struct{})} }

// pass is the read end of a pipe for one init to wait on, nil once the
// gate has opened. The caller hands it to init and closes it after.
func (g *gate) pass() (*os.File, error) {
	if g == nil {
		return nil, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.settled {
		return nil, g.err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("hold container at the gate: %w", err)
	}
	g.writers = append(g.writers, w)
	return r, nil
}

// wait blocks until the gate has opened, for a start that needs what
// the network brings before anything of it is made (its pod IP); the
// error is the gate's failure.
func (g *gate) wait() error {
	if g == nil {
		return nil
	}
	<-g.done
	return g.err
}

// open lets every held init go on.
func (g *gate) open() { g.settle(nil) }

// fail ends every held init's start.
func (g *gate) fail() { g.settle(errSandboxFailed) }

func (g *gate) settle(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.settled {
		return
	}
	g.settled, g.err = true, err
	for _, w := range g.writers {
		if err == nil {
			// A pipe's buffer takes the byte at once, read or not: an init
			// that died already does not hold anything up.
			_, _ = w.Write([]byte{1})
		}
		w.Close()
	}
	g.writers = nil
	close(g.done)
}

// address is the pod's IP as container starts read it. The first starts
// run while the network is attached (see gate): the one that needs the
// address waits for the gate first, the others read it unset, unused.
type address struct {
	mu sync.Mutex
	ip string
}

func (a *address) set(ip string) {
	a.mu.Lock()
	a.ip = ip
	a.mu.Unlock()
}

func (a *address) get() string {
	if a == nil {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ip
}

// usesPodIP tells whether the container's environment holds the pod's
// address (the downward API's status.podIP or status.podIPs).
func usesPodIP(c *podspec.Container) bool {
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			switch e.ValueFrom.FieldRef.FieldPath {
			case "status.podIP", "status.podIPs":
				return true
			}
		}
	}
	return false
}

// settledChan is closed when the gate opens or fails; nil without a gate.
func (g *gate) settledChan() <-chan struct{} {
	if g == nil {
		return nil
	}
	return g.done
}
