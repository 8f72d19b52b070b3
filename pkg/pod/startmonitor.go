package pod

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/monitor"
	"github.com/minipod/minipod/pkg/probe/probereq"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// waitingMonitor is a monitor started before its pod is known
// (monitor.Waiting). `up` starts one first, and reads and checks the
// manifest while the process starts on the other core; the pod is handed
// over once its directory is claimed and its manifest stored.
type waitingMonitor struct {
	cmd      *exec.Cmd
	sock     *os.File // `up`'s end of the hand-over socket
	report   *os.File // read end of the monitor's report pipe
	warnings []string // about companions, printed when the monitor is used
	// dirWarned: the companions' directory is not root's alone, and a
	// warning says so once for all of them.
	dirWarned bool
	err       error // why there is no monitor; told at hand-over
	started   chan struct{}
	late      bool // not started yet: see startMonitor
	done      bool // handed over or abandoned
}

// startMonitor forks a waiting monitor from a sealed copy of this binary,
// on a goroutine of its own: the fork waits for the child's execve, which
// maps the binary, and meanwhile `up` reads the manifest. A failure is
// kept for the hand-over: a manifest that fails its checks is told about
// first.
//
// The monitor's mount namespace is a copy of ours, taken at the fork: the
// run root's tmpfs, where minipod mounts one (/run on disk), must be in
// it. Until the run root is ready (the first `up` on such a node, or
// after `network reset`), the monitor starts late, once the pod's
// directory is claimed, which readies it; so a manifest that fails its
// checks never mounts anything.
func startMonitor() *waitingMonitor {
	wm := &waitingMonitor{started: make(chan struct{})}
	if !roots.RunReady() {
		wm.late = true
		close(wm.started)
		return wm
	}
	go func() {
		defer close(wm.started)
		wm.err = wm.start()
	}()
	return wm
}

func (wm *waitingMonitor) start() error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("start monitor: %w", err)
	}
	wm.sock = os.NewFile(uintptr(fds[0]), "hand-over")
	theirs := os.NewFile(uintptr(fds[1]), "hand-over")
	defer theirs.Close()
	r, w, err := os.Pipe()
	if err != nil {
		wm.sock.Close()
		return fmt.Errorf("start monitor: %w", err)
	}
	defer w.Close()
	wm.report = r
	// The monitor runs from a sealed, read-only copy of minipod-monitor
	// (or, where that is not installed, of this binary), and so does
	// everything it starts inside the pod (pause, container init): no
	// container can reach a host binary through /proc/PID/exe. Sealing
	// needs the binary's mount to be in our mount namespace, which the
	// monitor's own namespace is not.
	//
	// The program is sealed before the companions it is handed: Go's fork
	// puts its scratch copies of the child's files just above the highest
	// descriptor it hands over, before execve opens /proc/self/fd/N, so
	// N must be below the companions' seals.
	exe, err := wm.sealMonitor()
	if err != nil {
		wm.closeEnds()
		return err
	}
	defer exe.Close()
	companions := wm.sealCompanions()
	extra := []*os.File{w, theirs}
	for _, c := range companions {
		if c != nil {
			defer c.Close()
			extra = append(extra, c.File())
		} else {
			extra = append(extra, nil)
		}
	}
	monitor.Trace("up: binaries sealed")
	wm.cmd = exec.Command(exe.Path(), monitor.Role, monitor.WaitingArg)
	// The caller's environment (a trace, a proxy for pulls), with the
	// runtime setting a monitor that never profiles wants.
	wm.cmd.Env = lean.Environ(os.Environ())
	wm.cmd.ExtraFiles = extra
	// What goes wrong before the hand-over, when the log takes its
	// place, is `up`'s to tell.
	wm.cmd.Stderr = os.Stderr
	wm.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Cloneflags: unix.CLONE_NEWNS}
	if err := wm.cmd.Start(); err != nil {
		wm.closeEnds()
		wm.cmd = nil
		return fmt.Errorf("start monitor: %w", err)
	}
	monitor.Trace("up: monitor started")
	return nil
}

// sealMonitor seals the program the monitor runs from: minipod-monitor,
// or this binary where that is not installed (or not usable, which is
// told when the monitor is used).
func (wm *waitingMonitor) sealMonitor() (*selfexe.Sealed, error) {
	c, err := selfexe.SealCompanion(monitorProgram)
	if err != nil {
		var de *selfexe.DirError
		wm.dirWarned = errors.As(err, &de)
		wm.warnings = append(wm.warnings, err.Error())
	}
	if c != nil {
		return c, nil
	}
	return selfexe.Seal()
}

// sealCompanions seals the companion programs the monitor is handed, each
// at its place (nil: not installed; the monitor uses a role of its own
// program, or pulls nothing), and keeps the warnings for when the
// monitor is used.
func (wm *waitingMonitor) sealCompanions() []*selfexe.Sealed {
	var out []*selfexe.Sealed
	for _, name := range []string{"minipod-pause", "minipod-init", pullreq.Program, probereq.Program} {
		c, err := selfexe.SealCompanion(name)
		var de *selfexe.DirError
		if errors.As(err, &de) && wm.dirWarned {
			err = nil // said once for all of them
		}
		if c != nil && name == probereq.Program {
			if err = probereq.Runnable(c.File()); err != nil {
				c.Close()
				c = nil
			}
		}
		if err != nil {
			wm.dirWarned = wm.dirWarned || errors.As(err, &de)
			wm.warnings = append(wm.warnings, err.Error())
		}
		out = append(out, c)
	}
	return out
}

// monitorProgram is minipod's hidden roles without its command line and
// YAML parser (cmd/minipod-monitor): the lighter program for a process
// that lives as long as its pod.
const monitorProgram = "minipod-monitor"

// handOver gives the monitor its pod; from then on the monitor is on its
// own (not waited for: it outlives `up`).
func (wm *waitingMonitor) handOver(name string, noWaitReady bool, lock, log *os.File) error {
	<-wm.started
	if wm.late {
		wm.late = false
		wm.err = wm.start()
	}
	if wm.err != nil {
		wm.done = true
		return wm.err
	}
	for _, w := range wm.warnings {
		fmt.Fprintf(os.Stderr, "Warning: %s\n", w)
	}
	if err := monitor.HandOver(wm.sock, name, noWaitReady, lock, log); err != nil {
		wm.abandon()
		return err
	}
	wm.done = true
	wm.sock.Close()
	_ = wm.cmd.Process.Release()
	monitor.Trace("up: pod handed over")
	return nil
}

// abandon ends a monitor that was given no pod: the socket's EOF makes it
// exit, and it is waited for, so that a failed `up` leaves no process.
func (wm *waitingMonitor) abandon() {
	if wm == nil || wm.done {
		return
	}
	<-wm.started
	wm.done = true
	if wm.late || wm.cmd == nil {
		return
	}
	wm.closeEnds()
	_ = wm.cmd.Wait()
}

func (wm *waitingMonitor) closeEnds() {
	wm.sock.Close()
	wm.report.Close()
}
