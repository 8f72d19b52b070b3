package pullreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// ErrNotInstalled: there is no minipod-pull beside minipod to run.
var ErrNotInstalled = errors.New(Program + " is not installed beside minipod (make install puts it there); images can only be pulled or loaded with it")

// cancelGrace is how long the puller has to clean up after ctx is done
// (SIGTERM) before it is killed.
const cancelGrace = 10 * time.Second

// Run starts the puller at exe (a path, or a sealed program's
// /proc/self/fd path; "" when none is installed), hands it req and waits
// for its result. Its progress goes to stderr. When ctx is done the
// puller is asked to stop (SIGTERM); if the caller dies, it is killed.
func Run(ctx context.Context, exe string, req Request, stderr io.Writer) (Result, error) {
	if exe == "" {
		return Result{}, ErrNotInstalled
	}
	in, err := json.Marshal(req)
	if err != nil {
		return Result{}, fmt.Errorf("encode %s request: %w", Program, err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe)
	cmd.Args = []string{Program}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = cancelGrace
	// The parent-death signal follows the thread that forked: that thread
	// must outlive the puller, so nothing else may end it meanwhile.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	runErr := cmd.Run()
	runtime.UnlockOSThread()
	// The result is what counts, not how the wait went: in a pod's
	// monitor, which reaps every child it has, the puller's exit may have
	// been collected already (the wait then fails with ECHILD).
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return Result{}, fmt.Errorf("%s ended without a result (%w); its own messages are above, or in the pod's monitor.log", Program, runErr)
	}
	if res.Error != "" {
		return res, errors.New(res.Error)
	}
	return res, nil
}
