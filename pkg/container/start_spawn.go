package container

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/minipod/minipod/pkg/cgroups"
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
// pod before its exec, and a tracer could have written first), with a
// pidfd of it (reportedChild), and what follows (why its exec failed, if
// it did).
func spawnReport(msg []byte, place *cgroups.Placement) (pid, pidfd int, rest []byte, err error) {
	if len(msg) < 5 {
		return 0, -1, nil, errors.New("container init's report of the command was cut short")
	}
	pid = int(binary.LittleEndian.Uint32(msg[1:5]))
	if pidfd, err = reportedChild(pid, place); err != nil {
		return 0, -1, nil, fmt.Errorf("container init %w", err)
	}
	return pid, pidfd, msg[5:], nil
}

// spawnOutcome is a spawned start's end, from init's report (msg, read
// with err): the command's PID, or the PID to reap and why it failed.
// Nothing is left running that the monitor does not track: init that
// reported no command (it failed before its spawn, or it died, or it is
// a minipod-init that does not know the spawn role and would have run
// the command itself, with the host's /proc) is killed, and so is a
// command whose report went wrong after its PID. Kills go through pidfds
// (initFD, the command's): the reaper may have reaped either meanwhile,
// and its PID been reused.
func spawnOutcome(o StartOptions, initPID, initFD int, msg []byte, err error) (int, error) {
	if len(msg) == 0 || msg[0] != 0 {
		killFD(initFD)
		switch {
		case err != nil || len(msg) > reportMax:
			return initPID, readFailure(o, err)
		case len(msg) == 0:
			return initPID, &StartError{Msg: "container init ended without spawning the command"}
		default:
			return initPID, &StartError{Msg: printable(msg)}
		}
	}
	pid, fd, rest, serr := spawnReport(msg, o.Cgroup)
	if serr != nil {
		killFD(initFD)
		return initPID, &StartError{Msg: serr.Error()}
	}
	defer closeFD(fd)
	if err == nil && len(rest) == 0 {
		return pid, nil
	}
	killFD(fd)
	if errors.Is(err, os.ErrDeadlineExceeded) && len(rest) == 0 && !canceled(o) {
		// Init did report; what kept the pipe open was the command, or
		// a tracer's copy of it.
		return pid, &StartError{Msg: fmt.Sprintf("the command held container init's status open for %v after its start: killed", reportLimit)}
	}
	if err != nil || len(msg) > reportMax {
		return pid, readFailure(o, err)
	}
	// As init's own exec would have said it.
	return pid, &StartError{Msg: printable([]byte(fmt.Sprintf("exec %s: %v", o.Spec.Process.Args[0], ctrinit.SpawnFailure(rest))))}
}
