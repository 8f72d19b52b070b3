package pause

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"unsafe"

	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// Role is the argv[1] that makes the minipod binary act as the pause
// process; the minipod-pause program takes the same arguments after it.
const Role = "pause"

// LifelineFd is pause's end of a socket pair whose other end the monitor
// holds; StatusFd is where pause reports "ok" or why it failed.
const (
	StatusFd   = 3
	LifelineFd = 4
)

// Main is the pause process. args are os.Args[2:]: the hostname, then the
// sysctls as NAME=VALUE.
func Main(args []string) {
	// With shareProcessNamespace pause is PID 1 of the containers' PID
	// namespace: it must not be ptraceable or readable through /proc.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	// Listen before reporting ready: a SIGTERM right after must still mean
	// "exit 0", never the default action.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGCHLD)
	status := os.NewFile(StatusFd, "status")
	// Only as PID 1 of a shared PID namespace does pause stay for the
	// pod's life (see below); a pause the monitor lets go at once needs
	// neither its binary's mappings nor its threads named.
	stays := os.Getpid() == 1
	var text lean.Text
	if stays {
		text = lean.FindText() // while /proc is there: setup leaves it
		// Its threads get its name too, while /proc is there. No
		// descriptor of the host's /proc may outlive setup.
		selfexe.NameThreads(selfexe.Tasks())
	}
	lean.NoTHP()
	lifeline := os.NewFile(LifelineFd, "lifeline")
	err := setup(args)
	if err == nil {
		err = loadFilter(lifeline)
	}
	if err != nil {
		fmt.Fprintf(status, "%v\n", err)
		os.Exit(1)
	}
	dropCaps() // waiting for signals and reaping need no privilege
	quietStdio()
	fmt.Fprintln(status, "ok")
	status.Close()
	go watchLifeline(lifeline)
	// Otherwise the monitor takes the namespaces over and lets it go at
	// once, and a collection now would only take CPU from the pod's start.
	if stays {
		debug.FreeOSMemory() // start-up's garbage: pause allocates next to nothing from now on
		text.Trim()          // and runs next to nothing of the binary
	}
	os.Exit(wait(sigs))
}

func setup(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: minipod pause HOSTNAME [SYSCTL=VALUE...]")
	}
	if args[0] != "" { // else hostNetwork: the node's UTS and network
		if err := unix.Sethostname([]byte(args[0])); err != nil {
			return fmt.Errorf("set hostname %q: %w", args[0], err)
		}
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	if err := setSysctls(args[1:]); err != nil {
		return err
	}
	return emptyRoot()
}

// emptyRoot gives pause a root of its own, an empty read-only tmpfs, as
// the Kubernetes pause container has its own image. With
// shareProcessNamespace pause is PID 1 of the pod, and every container can
// name its /proc/1/root and /proc/1/cwd: they must lead nowhere, never to
// the host's filesystem (the CVE-2024-21626 class). Pause runs in a mount
// namespace of its own (Fork asks for one), so nothing here reaches the
// monitor or the host.
func emptyRoot() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("pause root: make mounts private: %w", err)
	}
	// Any directory that exists will do as the mount point: /proc always
	// does, and pause needs nothing below it.
	if err := unix.Mount("tmpfs", "/proc", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k,mode=0555"); err != nil {
		return fmt.Errorf("pause root: mount tmpfs: %w", err)
	}
	if err := unix.Chdir("/proc"); err != nil {
		return fmt.Errorf("pause root: enter: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pause root: pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("pause root: detach the old root: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("pause root: make read-only: %w", err)
	}
	return unix.Chdir("/")
}

// wait sleeps until SIGTERM or SIGINT, reaping any child that is re-parented
// to us (we are PID 1 of a shared PID namespace, or nothing is).
func wait(sigs <-chan os.Signal) int {
	for s := range sigs {
		if s == unix.SIGCHLD {
			reap()
			continue
		}
		return 0
	}
	return 42
}

func reap() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}

// dropCaps empties every capability set of pause once its namespaces are
// ready, so nothing that reaches it can use root's powers. Capabilities are
// per thread, hence AllThreadsSyscall (unavailable with cgo: then only the
// bounding sets are left as they were, and the error is ignored). Pause is
// born with only the few its set-up needs in its bounding set (package
// infra): those are dropped, CAP_SETPCAP, which dropping needs, last.
func dropCaps() {
	var left []int
	for c := 0; ; c++ {
		in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0)
		if err != nil {
			break // past the kernel's last capability
		}
		if in == 1 && c != unix.CAP_SETPCAP {
			left = append(left, c)
		}
	}
	for _, c := range append(left, unix.CAP_SETPCAP) {
		_, _, _ = syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	_, _, _ = syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
}

// quietStdio points stdout and stderr at stdin, /dev/null, once pause has
// nothing left to say. They were the monitor's log, a file of the host: as
// PID 1 of a shared PID namespace pause is where a container given
// SYS_PTRACE can open descriptors (/proc/1/fd), and it could have written
// there without bound (/run is memory).
func quietStdio() {
	for _, fd := range []int{1, 2} {
		_ = unix.Dup3(0, fd, 0)
	}
}

// watchLifeline ends pause when its monitor is gone or lets it go, once
// it holds the namespaces itself (EOF on the socket either way).
func watchLifeline(f *os.File) {
	buf := make([]byte, 1)
	for {
		if _, err := f.Read(buf); err != nil {
			os.Exit(0)
		}
	}
}
