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
)

// ErrNotInstalled: there is no minipod-probe beside minipod to run.
var ErrNotInstalled = errors.New(Program + " is not installed beside minipod (make install puts it there); HTTPS and gRPC probes need it")

// Run starts the helper at exe (a path, or a sealed program's
// /proc/self/fd path; "" when none is installed) on conn, hands it req and
// waits for its result. The helper gets a duplicate of conn's socket as
// descriptor 3 and nothing else of the caller's: no environment (only
// helperEnv), no privileges and no network (as root, it runs as nobody,
// which drops every capability, in a network namespace of its own with
// nothing in it: the socket it is handed is all it can talk through). It
// is killed when ctx is done (the probe's deadline, or the probe's end),
// or when the caller dies.
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
	var out limitedBuffer
	cmd := exec.CommandContext(ctx, exe)
	cmd.Args = []string{Program}
	cmd.Env = helperEnv
	cmd.Stdin, cmd.Stdout, cmd.ExtraFiles = bytes.NewReader(in), &out, []*os.File{sock}
	cmd.SysProcAttr = attrs()
	// The parent-death signal follows the thread that forked: that thread
	// must outlive the helper, so nothing else may end it meanwhile.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", Program, err)
	}
	sock.Close() // the helper's now
	waitErr := cmd.Wait()
	// The result is what counts, not how the wait went: in a pod's
	// monitor, which reaps every child it has, the helper's exit may have
	// been collected already (the wait then fails with ECHILD).
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		if waitErr == nil {
			waitErr = err
		}
		return Result{}, fmt.Errorf("%s ended without a result: %w", Program, waitErr)
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

// attrs: killed with the caller; as root, run as nobody with no groups,
// in an empty network namespace.
func attrs() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		a.Credential = &syscall.Credential{Uid: Nobody, Gid: Nobody, Groups: []uint32{}}
		a.Cloneflags = syscall.CLONE_NEWNET
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
