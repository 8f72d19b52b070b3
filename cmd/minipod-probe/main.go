// Command minipod-probe makes one probe attempt that needs TLS or HTTP/2
// (an HTTPS get, a gRPC health check) for a pod's monitor, on the
// connection the monitor opened in the pod's network namespace and handed
// over as descriptor 3. It is the one program that links Go's TLS and
// HTTP/2 stacks (pkg/probe/tlsgrpc), so that minipod itself, which every
// command and every pod's monitor runs, starts and stays without them. It
// runs as nobody with no privileges, reads one request (pkg/probe/probereq)
// on its standard input and writes the result on its standard output; it
// is not meant to be run by hand.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"github.com/minipod/minipod/pkg/probe/probereq"
	"github.com/minipod/minipod/pkg/probe/tlsgrpc"
	"golang.org/x/sys/unix"
)

// connFd is where the monitor hands over the connection.
const connFd = 3

func main() {
	var st unix.Stat_t
	if len(os.Args) != 1 || unix.Fstat(connFd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		fmt.Fprintln(os.Stderr, "minipod-probe is started by a pod's monitor, not by hand")
		os.Exit(2)
	}
	// It has no privileges (see probereq.Run) and may gain none; no
	// process of its user (a container's too may run as nobody) may
	// ptrace it or take its descriptors; and it keeps none but the
	// connection of what it may have inherited by mistake.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	_ = unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
	if err := closeInherited(); err != nil {
		fmt.Fprintln(os.Stderr, "minipod-probe:", err)
		os.Exit(2)
	}
	res := serve(os.Stdin)
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(1)
	}
}

func serve(in io.Reader) probereq.Result {
	fail := func(err error) probereq.Result {
		msg := fmt.Sprintf("minipod-probe: %v", err)
		return probereq.Result{Error: msg, Message: "error: " + msg}
	}
	data, err := io.ReadAll(io.LimitReader(in, probereq.MaxRequest+1))
	if err != nil {
		return fail(fmt.Errorf("read request: %w", err))
	}
	if len(data) > probereq.MaxRequest {
		return fail(fmt.Errorf("read request: larger than %d KiB", probereq.MaxRequest>>10))
	}
	var req probereq.Request
	if err := json.Unmarshal(data, &req); err != nil {
		return fail(fmt.Errorf("read request: %w", err))
	}
	f := os.NewFile(connFd, "connection")
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("take the connection: %w", err))
	}
	defer conn.Close()
	return tlsgrpc.Serve(req, conn)
}

// closeInherited closes every descriptor above the connection that came
// through the exec, that is, each without close-on-exec. Go's runtime
// opens its own close-on-exec (its epoll, the cgroup's CPU limit files),
// before main too, at the lowest free numbers: a close_range from 4 up
// took them from under it.
func closeInherited() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("close inherited descriptors: %w", err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= connFd {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
	return nil
}
