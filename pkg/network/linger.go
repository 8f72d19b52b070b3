package network

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// OpenTCP reports whether the calling thread's network namespace holds a
// TCP socket other than those in TIME_WAIT (which hold no namespace). Once
// a pod's processes are gone such a socket is an orphan the kernel still
// drives: one whose FIN the peer never acknowledged, or whose data a peer
// that stopped reading never took, is retried for minutes, and keeps the
// pod's namespace, and with it a cut veth pair, alive that long. Or
// something outside the pod holds it. The caller runs on a thread that
// joined the pod's namespace. It reads the namespace's own counters
// (sockstat): listing its sockets walks the host's whole TCP hash table,
// milliseconds on a large machine.
func OpenTCP() (bool, error) {
	for _, c := range []struct{ file, key string }{
		{"/proc/thread-self/net/sockstat", "TCP:"},
		{"/proc/thread-self/net/sockstat6", "TCP6:"},
	} {
		n, err := tcpInUse(c.file, c.key)
		if err != nil || n > 0 {
			return n > 0, err
		}
	}
	return false, nil
}

// tcpInUse reads the "inuse" count of the line of file that starts with
// key; a missing file (no IPv6 in the kernel) counts none.
func tcpInUse(file, key string) (int, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count TCP sockets: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[0] != key || fields[1] != "inuse" {
			continue
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			return 0, fmt.Errorf("count TCP sockets: %s: %w", file, err)
		}
		return n, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("count TCP sockets: %w", err)
	}
	return 0, fmt.Errorf("count TCP sockets: no %s line in %s", key, file)
}

// DeleteVeth deletes the pod's veth pair now, where Detach would only cut
// it off: for a namespace that is going to outlive the pod (OpenTCP).
func DeleteVeth(o Owner) error { return delVeth(o) }
