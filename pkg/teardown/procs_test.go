package teardown

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// helperEnv makes the test binary a process for StopProcs to end:
// "ignore-term" sleeps through SIGTERM, "sleep" takes its default action.
const helperEnv = "TEARDOWN_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	case "sleep":
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startHelper starts the test binary in a helper role and waits until it
// is ready (its signal disposition set).
func startHelper(t *testing.T, role string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("helper %s: %q, %v", role, buf, err)
	}
	return cmd
}

// endedBy waits for cmd and returns the signal that ended it.
func endedBy(t *testing.T, cmd *exec.Cmd) syscall.Signal {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("helper ended with %v, want a signal", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() {
		t.Fatalf("helper exited with %v, want a signal", ws)
	}
	return ws.Signal()
}

// TestStopProcsTermThenKill: a process that ignores SIGTERM is killed once
// the grace period is over; one that honours it ends by SIGTERM alone.
func TestStopProcsTermThenKill(t *testing.T) {
	stubborn := startHelper(t, "ignore-term")
	polite := startHelper(t, "sleep")
	StopProcs([]state.Proc{state.Identify(stubborn.Process.Pid), state.Identify(polite.Process.Pid)}, 200*time.Millisecond)
	if sig := endedBy(t, stubborn); sig != syscall.SIGKILL {
		t.Errorf("the process that ignores SIGTERM ended by %v, want SIGKILL", sig)
	}
	if sig := endedBy(t, polite); sig != syscall.SIGTERM {
		t.Errorf("the process that honours SIGTERM ended by %v, want SIGTERM", sig)
	}
}

// TestStopProcsSparesAReusedPID: a recorded process whose PID now names
// another process (its start time differs) is not signalled.
func TestStopProcsSparesAReusedPID(t *testing.T) {
	other := startHelper(t, "sleep")
	recorded := state.Identify(other.Process.Pid)
	recorded.Start-- // the process the record was made of started earlier
	StopProcs([]state.Proc{recorded}, 100*time.Millisecond)
	// StopProcs returns at once for a process it does not recognise: give a
	// signal it should not have sent the moment it needs to take effect.
	time.Sleep(300 * time.Millisecond)
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process now at the recorded PID was ended: %v", err)
	}
	var ws syscall.WaitStatus
	if pid, _ := syscall.Wait4(other.Process.Pid, &ws, syscall.WNOHANG, nil); pid != 0 {
		t.Fatalf("the process now at the recorded PID exited: %v", ws)
	}
}
