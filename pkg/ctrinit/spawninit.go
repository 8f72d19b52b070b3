package ctrinit

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SpawnPIDNSEnv holds, in init's environment, the inode of the PID
// namespace the container's command is to be spawned into: a pod's shared
// one (shareProcessNamespace) where a container may trace (CAP_SYS_PTRACE
// in the host's user namespace). Such a container could otherwise seize
// init, the host's root with every capability until it confines itself,
// or the monitor's fork before its exec, which shares the monitor's
// memory. The monitor forks init in its own PID namespace, out of the
// pod's sight; init builds the root with a /proc of the pod's namespace
// (mounts.Setup), confines itself, joins the namespace for its children
// and execs minipod-init as SpawnRole, which forks the command there as
// the monitor's child and reports its PID, as for an exec (Enter). Nothing
// the pod can see is ever unconfined, or the monitor's.
const SpawnPIDNSEnv = "MINIPOD_SPAWN_PIDNS_INO"

// spawnPIDNS opens the PID namespace init was told to spawn its command
// (nil, nil for a command not spawned) from the spec's path, checked to
// be the one the monitor meant, and init's own program (the spawn role),
// while /proc is still the host's: in the container's, init has no PID.
func spawnPIDNS(spec *specs.Spec, spawn bool) (pidns, self *os.File, err error) {
	if !spawn {
		return nil, nil, nil
	}
	want, ok := os.LookupEnv(SpawnPIDNSEnv)
	if !ok {
		return nil, nil, fmt.Errorf("%s: no %s", SpawnedRole, SpawnPIDNSEnv)
	}
	path := ""
	for _, n := range spec.Linux.Namespaces {
		if n.Type == specs.PIDNamespace {
			path = n.Path
		}
	}
	if path == "" {
		return nil, nil, fmt.Errorf("container config names no PID namespace to join")
	}
	pidns, err = openNS(path, want)
	if err != nil {
		return nil, nil, fmt.Errorf("the pod's PID namespace: %w", err)
	}
	self, err = os.OpenFile("/proc/self/exe", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		pidns.Close()
		return nil, nil, fmt.Errorf("open own program: %w", err)
	}
	return pidns, self, nil
}

// openNS opens the namespace at path and checks its inode is ino.
func openNS(path, ino string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "ns")
	var fs unix.Statfs_t
	var st unix.Stat_t
	if unix.Fstatfs(fd, &fs) != nil || fs.Type != unix.NSFS_MAGIC || unix.Fstat(fd, &st) != nil || strconv.FormatUint(st.Ino, 10) != ino {
		f.Close()
		return nil, fmt.Errorf("gone (%s)", path)
	}
	return f, nil
}

// spawnCommand ends init as SpawnPIDNSEnv says: confined as the
// container's process, it execs self (minipod-init) as SpawnRole with
// pidns for its children. Init's locked thread is the one that execs.
func spawnCommand(p *specs.Process, filter *seccomp.Program, late bool, pidns, self *os.File) error {
	if err := unix.Setns(int(pidns.Fd()), unix.CLONE_NEWPID); err != nil {
		return fmt.Errorf("join the pod's PID namespace: %w", err)
	}
	pidns.Close()
	// startPoller left the number free.
	if err := unix.Dup3(int(self.Fd()), enterExeFd, unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("hand over to spawn: %w", err)
	}
	self.Close()
	return confineAndExec(p, filter, late, spawnExec)
}

// spawnExecFailed is the spawn role's message for a failed exec of the
// command (cmd/minipod-init/spawn_amd64.s), which its errno precedes.
const spawnExecFailed = "spawn: exec the command failed"

// SpawnFailure is what the spawn role reported after the command's PID
// (the rest of its report, non-empty): for a failed exec, execve's errno.
func SpawnFailure(rest []byte) error {
	if len(rest) > 1 && string(rest[1:]) == spawnExecFailed && rest[0] != 0 {
		return unix.Errno(rest[0])
	}
	return errors.New(string(rest))
}
