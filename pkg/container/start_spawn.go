package container

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

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
	if !ourChild(pid) {
		return 0, nil, fmt.Errorf("container init reported process %d, not a child of ours", pid)
	}
	return pid, msg[5:], nil
}
