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

// Init is the container init process: args is os.Args[2:], the bundle dir;
// spawn, for SpawnedRole. It never returns: it execs the user command (or
// the spawn role) or exits 1 after reporting.
func Init(args []string, spawn bool) {
	// Capabilities, seccomp and the keyring are per thread: the thread
	// that sets them must be the one that calls execve.
	runtime.LockOSThread()
	// First of all: a process that can be ptraced or have its
	// /proc/PID/mem or exe opened by the container could be turned against
	// the host (CVE-2019-5736) while it still sees the host's files.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	unix.CloseOnExec(statusFd)
	// Before anything polls (the status pipe may, if non-blocking).
	err := startPoller()
	status := os.NewFile(statusFd, "status")
	if err == nil {
		err = initContainer(args, spawn)
	}
	fmt.Fprintf(status, "%v", err)
	os.Exit(1)
}

func initContainer(args []string, spawn bool) error {
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
	userns, self, err := userNS(spec)
	if err != nil {
		return err
	}
	pidns, spawner, err := spawnPIDNS(spec, spawn)
	if err != nil {
		return err
	}
	if userns != nil && pidns != nil {
		return fmt.Errorf("asked to spawn the command of a pod with a user namespace of its own")
	}
	// Still the host's /proc, and nothing of the container's yet.
	if err := SetOOMScoreAdj(spec.Process.OOMScoreAdj); err != nil {
		return err
	}
	if err := mounts.Setup(spec, userns, pidns); err != nil {
		return err
	}
	p := spec.Process
	if p.Terminal {
		// A spawned command takes the terminal as its own controlling
		// one: the session init leads ends with init.
		if err := setupConsole(pidns == nil); err != nil {
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
	if userns != nil {
		handoff, err := WriteHandoff(p, filter, late, false, true)
		if err != nil {
			return err
		}
		return ExecEnter(self, userns, handoff)
	}
	if pidns != nil {
		return spawnCommand(p, filter, late, pidns, spawner)
	}
	return confineAndExec(p, filter, late, unix.Exec)
}

// UserNSEnv holds, in init's environment, the inode of the pod's user
// namespace (hostUsers: false), which the spec names; see Enter.
const UserNSEnv = "MINIPOD_USERNS_INO"

// userNS opens the pod's user namespace, if init was told of one, from
// the spec's path (a descriptor the monitor holds), checked to be the one
// the monitor meant; and init's own program (O_PATH, opened while /proc
// is still the host's), which ExecEnter runs again once the root is built.
func userNS(spec *specs.Spec) (userns, self *os.File, err error) {
	want, ok := os.LookupEnv(UserNSEnv)
	if !ok {
		return nil, nil, nil
	}
	path := ""
	for _, n := range spec.Linux.Namespaces {
		if n.Type == specs.UserNamespace {
			path = n.Path
		}
	}
	if path == "" {
		return nil, nil, fmt.Errorf("container config names no user namespace")
	}
	userns, err = openNS(path, want)
	if err != nil {
		return nil, nil, fmt.Errorf("the pod's user namespace: %w", err)
	}
	self, err = os.OpenFile("/proc/self/exe", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		userns.Close()
		return nil, nil, fmt.Errorf("open own program: %w", err)
	}
	return userns, self, nil
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
