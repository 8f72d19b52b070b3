package ctrinit

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/minipod/minipod/pkg/leanjson"
	"github.com/minipod/minipod/pkg/mounts"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// statusFd is where Start hands init the write end of the handshake pipe.
const statusFd = 3

// Init is the container init process: args is os.Args[2:], the bundle dir.
// It never returns: it execs the user command or exits 1 after reporting.
func Init(args []string) {
	// Capabilities, seccomp and the keyring are per thread: the thread
	// that sets them must be the one that calls execve.
	runtime.LockOSThread()
	// First of all: a process that can be ptraced or have its
	// /proc/PID/mem or exe opened by the container could be turned against
	// the host (CVE-2019-5736) while it still sees the host's files.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	unix.CloseOnExec(statusFd)
	status := os.NewFile(statusFd, "status")
	err := initContainer(args)
	fmt.Fprintf(status, "%v", err)
	os.Exit(1)
}

func initContainer(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: minipod init BUNDLE [GATE-FD]")
	}
	spec, err := ReadSpec(args[0])
	if err != nil {
		return err
	}
	filter, err := LoadFilter(args[0], spec)
	if err != nil {
		return err
	}
	// Still the host's /proc, and nothing of the container's yet.
	if err := SetOOMScoreAdj(spec.Process.OOMScoreAdj); err != nil {
		return err
	}
	if err := mounts.Setup(spec); err != nil {
		return err
	}
	p := spec.Process
	if p.Terminal {
		if err := setupConsole(); err != nil {
			return err
		}
	}
	if len(args) == 2 {
		// The root is built; the rest is quick and must not run before
		// the pod's network is there.
		if err := AwaitGate(args[1]); err != nil {
			return err
		}
	}
	late := p.NoNewPrivileges
	if err := Confine(p, filter, late); err != nil {
		return err
	}
	if filter != nil && late {
		// With no_new_privs the filter needs no privilege: load it last,
		// so a strict profile only has to allow execve and what follows.
		if err := filter.Load(); err != nil {
			return err
		}
	}
	// Looked up as execvp would in the container: as its user, with its
	// capabilities, in its root.
	path, err := LookPath(p.Args[0], p.Env)
	if err != nil {
		return err
	}
	if err := unix.Exec(path, p.Args, p.Env); err != nil {
		return fmt.Errorf("exec %s: %w", p.Args[0], err)
	}
	return nil
}

// ReadSpec reads a container's config.json from its bundle directory, with
// leanjson: every container start decodes one in a fresh process, where
// encoding/json would first build its caches of the spec's types (1.3 ms
// cold here, against 0.7).
func ReadSpec(bundle string) (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("read container config: %w", err)
	}
	var s specs.Spec
	if err := leanjson.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("decode container config: %w", err)
	}
	if s.Process == nil || s.Root == nil || s.Linux == nil || len(s.Process.Args) == 0 {
		return nil, fmt.Errorf("container config lacks process, root or linux")
	}
	return &s, nil
}
