package container

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// child starts a process of ours that runs until killed, with a pidfd of
// it, and reports whether it was killed once the test looks.
func child(t *testing.T) (pid, pidfd int, killed func() bool) {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	fd, err := unix.PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return cmd.Process.Pid, fd, func() bool {
		var ws unix.WaitStatus
		_, err := unix.Wait4(cmd.Process.Pid, &ws, 0, nil)
		return err == nil && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	}
}

func record(pid int, rest string) []byte {
	b := []byte{0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[1:], uint32(pid))
	return append(b, rest...)
}

// TestSpawnOutcome: a spawned start succeeds only with the record of a
// child of ours and nothing after it; in every other case init, or the
// command it reported, is killed, and the message is printable.
func TestSpawnOutcome(t *testing.T) {
	o := StartOptions{Spec: &specs.Spec{Process: &specs.Process{Args: []string{"/bin/app"}}}}
	for _, c := range []struct {
		name   string
		msg    func(cmd int) []byte
		err    error
		want   string // "" for success
		killed string // "init", "command" or ""
	}{
		{"no record", func(int) []byte { return nil }, nil, "ended without spawning", "init"},
		{"init's error", func(int) []byte { return []byte("mount proc: \x1b]0;pwned\x07denied\n\tsecond line") }, nil, "mount proc: ?]0;pwned?denied\n\tsecond line", "init"},
		{"too long", func(int) []byte { return []byte(strings.Repeat("x", reportMax+1)) }, nil, "longer than", "init"},
		{"not our child", func(int) []byte { return record(1, "") }, nil, "not a child of ours", "init"},
		{"exec failed", func(cmd int) []byte { return record(cmd, "\x02spawn: exec the command failed") }, nil, "exec /bin/app: no such file or directory", "command"},
		{"junk after the record", func(cmd int) []byte { return record(cmd, "\x1b[2Jjunk") }, nil, "exec /bin/app: ?[2Jjunk", "command"},
		{"pipe held open", func(cmd int) []byte { return record(cmd, "") }, os.ErrDeadlineExceeded, "held container init's status open", "command"},
		{"no report in time", func(int) []byte { return nil }, os.ErrDeadlineExceeded, "did not report", "init"},
		{"spawned", func(cmd int) []byte { return record(cmd, "") }, nil, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			initPID, initFD, initKilled := child(t)
			cmdPID, _, cmdKilled := child(t)
			pid, err := spawnOutcome(o, initPID, initFD, c.msg(cmdPID), c.err)
			var se *StartError
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("failed: %v", err)
			case c.want == "" && pid != cmdPID:
				t.Errorf("PID %d, want the command's %d", pid, cmdPID)
			case c.want != "" && (!errors.As(err, &se) || !strings.Contains(se.Msg, c.want)):
				t.Errorf("error %v, want a StartError with %q", err, c.want)
			}
			if c.killed == "init" && (pid != initPID || !initKilled()) {
				t.Errorf("init (%d) not killed and returned to reap (%d)", initPID, pid)
			}
			if c.killed == "command" && (pid != cmdPID || !cmdKilled()) {
				t.Errorf("the command (%d) not killed and returned to reap (%d)", cmdPID, pid)
			}
		})
	}
}

// TestReportedChild: a spawn's report is taken for a child of ours only:
// not a thread's ID (which /proc shows with its process's parent), not a
// process we did not fork; one reaped already has no pidfd to kill.
func TestReportedChild(t *testing.T) {
	pid, _, _ := child(t)
	fd, err := reportedChild(pid, nil)
	if err != nil || fd < 0 {
		t.Fatalf("our child %d: %v, pidfd %d", pid, err, fd)
	}
	unix.Close(fd)
	if _, err := reportedChild(1, nil); err == nil {
		t.Errorf("PID 1 taken for a child of ours")
	}
	tid := make(chan int)
	go func() {
		runtime.LockOSThread() // ends with the goroutine: never reused
		tid <- unix.Gettid()
		<-tid
	}()
	n := <-tid
	defer close(tid)
	if _, err := reportedChild(n, nil); n != os.Getpid() && err == nil {
		t.Errorf("thread %d taken for a process", n)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if fd, err := reportedChild(gone.Process.Pid, nil); err != nil || fd != -1 {
		t.Errorf("a reaped child: pidfd %d, %v; want -1 and no error", fd, err)
	}
}

// TestExited: a zombie has left its cgroup, so the cgroup check lets it
// pass; a running process has not.
func TestExited(t *testing.T) {
	pid, _, _ := child(t)
	if exited(pid) {
		t.Errorf("running child %d taken for exited", pid)
	}
	z := exec.Command("true")
	if err := z.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = z.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for !exited(z.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatalf("zombie %d not taken for exited", z.Process.Pid)
		}
		time.Sleep(time.Millisecond)
	}
}
