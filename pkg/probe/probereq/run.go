package probereq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// ErrNotInstalled: there is no minipod-probe beside minipod to run.
var ErrNotInstalled = errors.New(Program + " is not installed beside minipod (make install puts it there); HTTPS and gRPC probes need it")

// reportGrace is how long past the deadline the helper may take to
// report that the deadline ended its attempt, before it is killed.
const reportGrace = time.Second

// Run starts the helper at exe (a path, or a sealed program's
// /proc/self/fd path; "" when none is installed) on conn, hands it req and
// waits for its result. The helper gets a duplicate of conn's socket as
// descriptor 3 and nothing else of the caller's: no environment (only
// helperEnv), no privileges (as root, it runs as nobody: the kernel drops
// every capability with the change of user). It ends the attempt at
// req.Deadline itself; it is killed reportGrace later, at once when ctx
// is cancelled, or when the caller dies.
func Run(ctx context.Context, exe string, conn net.Conn, req Request) (Result, error) {
	if exe == "" {
		return Result{}, ErrNotInstalled
	}
	sock, err := socketFile(conn)
	if err != nil {
		return Result{}, err
	}
	defer sock.Close()
	in, err := json.Marshal(req)
	if err != nil {
		return Result{}, fmt.Errorf("encode %s request: %w", Program, err)
	}
	kctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), req.Deadline.Add(reportGrace))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel() // the probe is over: no result is wanted
		}
	})
	defer stop()
	var out limitedBuffer
	cmd := exec.CommandContext(kctx, exe)
	cmd.Args = []string{Program}
	cmd.Env = helperEnv
	cmd.Stdin, cmd.Stdout, cmd.ExtraFiles = bytes.NewReader(in), &out, []*os.File{sock}
	cmd.SysProcAttr = attrs()
	// The parent-death signal follows the thread that forked: that thread
	// must outlive the helper, so nothing else may end it meanwhile.
	runtime.LockOSThread()
	runErr := cmd.Run()
	runtime.UnlockOSThread()
	// The result is what counts, not how the wait went: in a pod's
	// monitor, which reaps every child it has, the helper's exit may have
	// been collected already (the wait then fails with ECHILD).
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return Result{}, fmt.Errorf("%s ended without a result: %w", Program, runErr)
	}
	return res, nil
}

// helperEnv is all of the helper's environment: one attempt needs one P,
// and a process that lives for one attempt no collection, up to a bound
// on what a hostile server could make it allocate (13% less CPU per
// attempt than the defaults).
var helperEnv = []string{"GOMAXPROCS=1", "GOGC=off", "GOMEMLIMIT=64MiB"}

// socketFile duplicates conn's socket for the helper.
func socketFile(conn net.Conn) (*os.File, error) {
	fc, ok := conn.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, fmt.Errorf("hand %s the connection: a %T has no socket", Program, conn)
	}
	f, err := fc.File()
	if err != nil {
		return nil, fmt.Errorf("hand %s the connection: %w", Program, err)
	}
	return f, nil
}

// attrs: killed with the caller; as root, run as nobody with no groups.
func attrs() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		a.Credential = &syscall.Credential{Uid: Nobody, Gid: Nobody, Groups: []uint32{}}
	}
	return a
}

// limitedBuffer keeps the first MaxResult bytes written to it: the
// helper is ours, but it quotes what a server in the pod answered.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := MaxResult - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

var _ io.Writer = (*limitedBuffer)(nil)
