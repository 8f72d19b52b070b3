package infra

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/selfexe"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// Options shape the pod's namespaces.
type Options struct {
	// SharePID: pause is PID 1 of a new PID namespace the containers join.
	SharePID bool
	// HostNetwork: the pod uses the node's network and UTS namespaces, so
	// pause leaves hostname and links alone.
	HostNetwork bool
	// HostIPC: the pod uses the node's IPC namespace.
	HostIPC bool
	// Sysctls are the pod's (namespaced) sysctls, name to value, set by
	// pause in the pod's namespaces before any container starts.
	Sysctls map[string]string
	// Cgroup, if set, is where pause is born (the pod's pause cgroup).
	Cgroup *cgroups.Placement
	// UserNS, when set, gives the pod a user namespace of its own
	// (hostUsers: false) that owns its other namespaces: ids 0-65535 in
	// it are UserNS's host ids.
	UserNS *state.IDRange
	// Filter: pause reads, on its lifeline, the seccomp program it puts
	// itself under once set up (pause.SendFilter writes it); pause's start
	// fails without it. Only a pause that stays (SharePID) needs one. On
	// the lifeline, not a descriptor of its own: a sixth file would be
	// arranged at fd 5, where the monitor holds pause's own program.
	Filter bool
}

// Kinds are the pod-level namespaces pause creates and containers join:
// the one place that decides them.
func (o Options) Kinds() []string {
	var kinds []string
	if o.UserNS != nil {
		kinds = append(kinds, "user")
	}
	if !o.HostIPC {
		kinds = append(kinds, "ipc")
	}
	if !o.HostNetwork {
		kinds = append(kinds, "net", "uts")
	}
	if o.SharePID {
		kinds = append(kinds, "pid")
	}
	return kinds
}

// cloneFlags are the namespaces of Kinds, plus a mount namespace of
// pause's own (see Main).
func (o Options) cloneFlags() uintptr {
	flags := uintptr(unix.CLONE_NEWNS)
	for _, k := range o.Kinds() {
		flags |= kindFlags[k]
	}
	return flags
}

// sysctlArgs passes the sysctls as NAME=VALUE arguments, in a fixed order.
func sysctlArgs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

var kindFlags = map[string]uintptr{
	"user": unix.CLONE_NEWUSER,
	"ipc":  unix.CLONE_NEWIPC, "net": unix.CLONE_NEWNET, "uts": unix.CLONE_NEWUTS, "pid": unix.CLONE_NEWPID,
}

// Start forks exe as the pause process in new net, IPC and UTS namespaces
// (see Options), and waits until it reports that hostname and loopback are
// set. It returns the pause PID, which the caller reaps, and the write end
// of pause's lifeline: pause exits when it reads EOF there, that is when
// the caller dies without stopping it, so a pause the caller never got to
// record cannot hold the pod's namespaces (and veth) forever. The caller
// keeps the lifeline open for as long as it needs pause, and closes it to
// end pause (the monitor does once it holds the namespaces itself). (PR_SET_PDEATHSIG
// would not do: it fires when the forking *thread* exits, and Go destroys
// threads that a goroutine locked, as package ns does.)
func Start(exe, hostname string, o Options) (int, *os.File, error) {
	p, err := Fork(exe, hostname, o)
	if err != nil {
		return 0, nil, err
	}
	return p.PID, p.Lifeline, p.Ready()
}

// Process is a forked pause process that may still be setting up.
type Process struct {
	PID      int
	Lifeline *os.File // see Start
	status   *os.File
	once     sync.Once
	err      error // Ready's answer
}

// Fork starts pause and returns at once: its namespaces exist as soon as
// it is forked, so the caller can set up the pod network while pause's
// runtime starts, then call Ready.
func Fork(exe, hostname string, o Options) (*Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start pause: %w", err)
	}
	lifeR, lifeW, err := lifelinePair()
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start pause: %w", err)
	}
	defer lifeR.Close()
	pid, err := fork(exe, hostname, o, w, lifeR)
	w.Close()
	if err != nil {
		r.Close()
		lifeW.Close()
		return nil, err
	}
	return &Process{PID: pid, Lifeline: lifeW, status: r}, nil
}

// lifelinePair is pause's end and the caller's end of the lifeline: a
// socket pair, not a pipe. With shareProcessNamespace pause is PID 1 of
// the pod, and a container given SYS_PTRACE can open its descriptors
// through /proc/1/fd: a pipe's read end opens there for writing too, and a
// container holding that would keep pause (and the pod's namespaces) alive
// after its monitor died. A socket cannot be opened through /proc.
func lifelinePair() (pauseEnd, ours *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("lifeline: %w", err)
	}
	// Pause only waits for EOF and we never read: pause's end is shut for
	// writing, so nothing can flow from pause to the monitor.
	_ = unix.Shutdown(fds[0], unix.SHUT_WR)
	return os.NewFile(uintptr(fds[0]), "lifeline"), os.NewFile(uintptr(fds[1]), "lifeline"), nil
}

// Ready waits until pause reports its hostname and loopback set.
// Later calls return the first one's answer.
func (p *Process) Ready() error {
	p.once.Do(func() { p.err = p.awaitReport() })
	return p.err
}

func (p *Process) awaitReport() error {
	defer p.status.Close()
	msg, err := io.ReadAll(p.status)
	if err != nil {
		return fmt.Errorf("start pause: read status: %w", err)
	}
	if s := strings.TrimSpace(string(msg)); s != "ok" {
		return fmt.Errorf("start pause: %s", s)
	}
	return nil
}

// pauseCaps are what pause's set-up needs (hostname, loopback, sysctls, its
// own mounts), and CAP_SETPCAP, which dropping them needs.
var pauseCaps = map[int]bool{unix.CAP_SYS_ADMIN: true, unix.CAP_NET_ADMIN: true, unix.CAP_DAC_OVERRIDE: true, unix.CAP_SETPCAP: true}

// limitBounding drops from the calling thread's bounding set (a thread
// about to fork pause, thrown away after) every capability pause does not
// need, so that pause is born without them: it drops what it has left
// from every one of its threads once set up, and each drop is a round of
// signals to all of them (40 rounds made pause take 5-8 ms to be ready).
func limitBounding() error {
	for c := 0; ; c++ {
		if pauseCaps[c] {
			continue
		}
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			return nil // past the kernel's last capability
		}
		if err != nil {
			return fmt.Errorf("start pause: drop capability %d: %w", c, err)
		}
	}
}

func fork(exe, hostname string, o Options, status, lifeline *os.File) (int, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, fmt.Errorf("start pause: %w", err)
	}
	defer devnull.Close()
	if o.HostNetwork {
		hostname = "" // the node's: never touch it
	}
	attr := &syscall.ProcAttr{
		// One P is all a process that only waits for signals needs; it
		// keeps the runtime from spinning up threads and heap arenas. It
		// allocates next to nothing after start-up, so it never needs a GC
		// cycle, whose marking would touch pages it otherwise never does;
		// nor buffers for profile stacks. With GOMAXPROCS set, the
		// runtime's look at its cgroup's CPU quota is only for a metric,
		// but it opens the quota files at start; containermaxprocs=0 has
		// it close them, else they stay open in PID 1 of the pod.
		Env:   []string{"GOMAXPROCS=1", "GOGC=off", "GODEBUG=" + lean.NoProfileStacks + ",containermaxprocs=0"},
		Files: []uintptr{devnull.Fd(), os.Stderr.Fd(), os.Stderr.Fd(), status.Fd(), lifeline.Fd()},
		Sys:   &syscall.SysProcAttr{Cloneflags: o.cloneFlags()},
	}
	if r := o.UserNS; r != nil {
		// Written by the parent before pause runs; setgroups stays
		// allowed, for the containers' supplementary groups.
		m := []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(r.HostID), Size: int(r.Size)}}
		attr.Sys.UidMappings, attr.Sys.GidMappings, attr.Sys.GidMappingsEnableSetgroups = m, m, true
		// Its root, before execve: the host's root is no one in there,
		// and would lose every capability at exec.
		attr.Sys.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	}
	if o.Filter {
		attr.Env = append(attr.Env, pause.FilterEnv+"=1")
	}
	if err := selfexe.FitsBelow(exe, len(attr.Files)); err != nil {
		return 0, fmt.Errorf("start pause: %w", err)
	}
	var pid int
	// A thread of its own: joining the pod's v1 cgroups is per thread.
	err = ns.OnThread(func() error {
		if err := limitBounding(); err != nil {
			return err
		}
		leave := func() error { return nil }
		if o.Cgroup != nil {
			var err error
			if leave, err = o.Cgroup.JoinThread(); err != nil {
				return err
			}
			if fd, ok := o.Cgroup.CgroupFD(); ok {
				attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, fd
			}
		}
		var ferr error
		pid, ferr = syscall.ForkExec(exe, append([]string{"minipod", pause.Role, hostname}, sysctlArgs(o.Sysctls)...), attr)
		return errors.Join(ferr, leave())
	})
	if err != nil {
		return 0, fmt.Errorf("start pause: %w", err)
	}
	return pid, nil
}
