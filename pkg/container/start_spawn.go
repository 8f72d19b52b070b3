package container

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/ns"
	"golang.org/x/sys/unix"
)

// spawnEnv tells init (StartOptions.Spawn) which PID namespace to spawn
// the command into: the inode of the one join holds, which init opens by
// the spec's path and checks.
func spawnEnv(join *ns.Set) (string, error) {
	f := join.File("pid")
	if f == nil {
		return "", errors.New("start container: no shared PID namespace to spawn the command into")
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return "", fmt.Errorf("start container: %w", err)
	}
	return ctrinit.SpawnPIDNSEnv + "=" + strconv.FormatUint(st.Ino, 10), nil
}

// spawnReport reads the spawn role's report at the head of init's status
// (a zero byte, then the command's PID, 4 bytes little-endian): the
// command's PID, checked to be our child (the command is visible to the
// pod before its exec, and a tracer could have written first), and what
// follows (why its exec failed, if it did).
func spawnReport(msg []byte) (pid int, rest []byte, err error) {
	if len(msg) < 5 {
		return 0, nil, errors.New("container init's report of the command was cut short")
	}
	pid = int(binary.LittleEndian.Uint32(msg[1:5]))
	if !ourChild(pid) || !leader(pid) {
		return 0, nil, fmt.Errorf("container init reported process %d, not a child of ours", pid)
	}
	return pid, msg[5:], nil
}

// spawnOutcome is a spawned start's end, from init's report (msg, read
// with err): the command's PID, or the PID to reap and why it failed.
// Nothing is left running that the monitor does not track: init that
// reported no command (it failed before its spawn, or it died, or it is
// a minipod-init that does not know the spawn role and would have run
// the command itself, with the host's /proc) is killed, and so is a
// command whose report went wrong after its PID.
func spawnOutcome(o StartOptions, initPID int, msg []byte, err error) (int, error) {
	if len(msg) == 0 || msg[0] != 0 {
		_ = unix.Kill(initPID, unix.SIGKILL)
		switch {
		case err != nil || len(msg) > reportMax:
			return initPID, readFailure(o, err)
		case len(msg) == 0:
			return initPID, &StartError{Msg: "container init ended without spawning the command"}
		default:
			return initPID, &StartError{Msg: printable(msg)}
		}
	}
	pid, rest, serr := spawnReport(msg)
	if serr != nil {
		_ = unix.Kill(initPID, unix.SIGKILL)
		return initPID, &StartError{Msg: serr.Error()}
	}
	if err == nil && len(rest) == 0 {
		return pid, nil
	}
	killPID(pid)
	if err != nil || len(msg) > reportMax {
		return pid, readFailure(o, err)
	}
	// As init's own exec would have said it.
	return pid, &StartError{Msg: printable([]byte(fmt.Sprintf("exec %s: %v", o.Spec.Process.Args[0], ctrinit.SpawnFailure(rest))))}
}

// leader says whether pid is a process, not one of its threads (whose
// TID /proc shows as well, with the process's parent).
func leader(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH) {
		return true // reaped already, as ourChild has it
	}
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			return strings.TrimSpace(v) == strconv.Itoa(pid)
		}
	}
	return false
}
