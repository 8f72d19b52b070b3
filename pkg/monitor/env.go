package monitor

import (
	"strconv"
	"sync"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// Role is the argv[1] that makes minipod-monitor (or minipod) a pod monitor.
const Role = "monitor"

// selfExe is the binary the monitor re-executes for the pause and init
// roles: its own, which `up` sealed, so what runs inside pods is the
// sealed copy. /proc/self/exe keeps working even if the file is replaced
// while pods run.
const selfExe = "/proc/self/exe"

// roots is read once per process.
var roots = state.DefaultRoots()

// pauseExe is the program pause runs from: minipod-pause, sealed by `up`
// and handed over as pauseFd (a tenth of minipod's size, and one runs per
// pod for the pod's life), or the pause role of the monitor's own binary
// where it is not installed.
// Main calls it first, before the monitor opens anything that could take
// the descriptor's number when `up` passed none.
var pauseExe = sync.OnceValue(func() string { return companion(pauseFd) })

// initExe is the program container init runs from: minipod-init, sealed
// by `up` and handed over as initFd (every container start runs it, and
// it starts in a fraction of minipod's time), or the init role of the
// monitor's own binary. Main calls it first, as pauseExe.
var initExe = sync.OnceValue(func() string { return companion(initFd) })

// pullExe is the program that pulls the pod's images: minipod-pull, sealed
// by `up` and handed over as pullFd, or "" where it is not installed (the
// monitor's own binary does not link the registry client, so that it
// neither starts nor lives with it). Main calls it first, as pauseExe.
var pullExe = sync.OnceValue(func() string {
	if p := companion(pullFd); p != selfExe {
		return p
	}
	return ""
})

// probeExe is the program that makes the probe attempts needing TLS or
// HTTP/2 (HTTPS gets, gRPC checks): minipod-probe, sealed by `up` and
// handed over as probeFd, or "" where it is not installed (the monitor's
// own binary links neither stack). Main calls it first, as pauseExe.
var probeExe = sync.OnceValue(func() string {
	if p := companion(probeFd); p != selfExe {
		return p
	}
	return ""
})

// companion is the path to exec a program `up` sealed and handed over at
// fd, or the monitor's own binary if fd is not such a seal: an O_PATH
// descriptor (what open_tree gives) of an executable regular file on a
// read-only mount. The check is positive because the number may be taken
// by something else when `up` passed none: the Go runtime opens cgroup
// files before main.
func companion(fd int) string {
	var st unix.Stat_t
	var fs unix.Statfs_t
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_PATH == 0 ||
		unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0 ||
		unix.Fstatfs(fd, &fs) != nil || fs.Flags&unix.ST_RDONLY == 0 {
		return selfExe
	}
	// Exec'd by path only, never inherited: execve opens the file before
	// it closes the descriptor, and no container or pause ever holds it.
	// The number stays `up`'s (5-8): Go's fork arranges a child's i-th
	// file at fd i and puts its scratch copies just above the highest fd
	// it hands over, both before execve opens /proc/self/fd/N. So a child
	// must get at most N files (pause gets 5, init at most 6; checked by
	// selfexe.FitsBelow at each fork); and a seal
	// moved high (100 and up) was in reach of the scratch copies of a
	// monitor holding ~100 descriptors, which a 10-container pod does.
	unix.CloseOnExec(fd)
	return "/proc/self/fd/" + strconv.Itoa(fd)
}
