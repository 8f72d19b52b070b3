package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// TestAttackExecTIOCSTI: `exec` without -t once handed the container its
// caller's terminal, in its caller's session; with TIOCSTI the container
// typed a command into the admin's shell. The exec'd command must get
// pipes of minipod's (or /dev/null for stdin without -i), never the
// caller's descriptors, and a session of its own; whatever it injects must
// not reach the caller's terminal. -i still passes input; exit codes still
// pass through.
func TestAttackExecTIOCSTI(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-sti")
	upPod(t, name, attackPodText(name, idleCommand, "", ""))

	// Through stdout, stdin (-i) and the controlling terminal, whatever
	// fds 0-2 are.
	for _, flags := range [][]string{nil, {"-i"}} {
		for _, target := range []string{"0", "1", "/dev/tty"} {
			args := append(append([]string{"exec"}, flags...), name, "--", "/attack", "tiocsti", target, "echo PWNED\n")
			t.Run(strings.Join(append(append([]string{"exec"}, flags...), "tiocsti", target), " "), func(t *testing.T) {
				r := onTerminal(t, args...)
				if strings.Contains(r.typed, "PWNED") {
					t.Errorf("the container typed %q into its caller's terminal\n%s", r.typed, r.output)
				}
			})
		}
	}
	t.Run("stdio on a terminal", func(t *testing.T) {
		r := onTerminal(t, "exec", name, "--", "/attack", "stdio")
		checkStdio(t, r.output, false, nil)
	})
	t.Run("stdio on pipes", func(t *testing.T) {
		for _, stdin := range []bool{false, true} {
			out, inos := execOnPipes(t, stdin, name, "/attack", "stdio")
			checkStdio(t, out, stdin, inos)
		}
	})
	t.Run("-i and exit codes", func(t *testing.T) {
		r := mpWith(t, runOpts{stdin: "typed\n"}, "exec", "-i", name, "--", "cat")
		if r.code != 0 || r.stdout != "typed\n" {
			t.Errorf("exec -i cat: want the input back, got %s", r)
		}
		if r := mp(t, "exec", name, "--", "sh", "-c", "exit 3"); r.code != 3 {
			t.Errorf("exec sh -c 'exit 3': want exit 3, got %s", r)
		}
	})
}

// ttyRun is what one minipod run on a terminal did.
type ttyRun struct {
	code   int
	output string // what minipod and the command wrote to the terminal
	typed  string // input left pending on the terminal afterwards
}

// onTerminal runs minipod with a fresh pseudo-terminal as its stdin,
// stdout, stderr and controlling terminal, as from an admin's shell, and
// reports what was written to the terminal and what input was left in it.
func onTerminal(t *testing.T, args ...string) ttyRun {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	// Raw: typed input is kept byte for byte and not echoed.
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	r := ttyRun{code: runCode(t, cmd)}
	if ctx.Err() != nil {
		t.Fatalf("minipod %v did not finish in 30s", args)
	}
	r.typed = pending(t, slave)
	time.Sleep(200 * time.Millisecond) // let the reader catch the last output
	mu.Lock()
	r.output = out.String()
	mu.Unlock()
	return r
}

// runCode runs cmd and returns its exit code.
func runCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return 0
}

// pending reads the input waiting on the terminal slave without blocking.
func pending(t *testing.T, slave *os.File) string {
	t.Helper()
	fd := int(slave.Fd())
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 256)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			return string(got)
		}
		got = append(got, buf[:n]...)
	}
}

// execOnPipes runs `exec POD [-i] -- args` with pipes of the test's own as
// stdin, stdout and stderr; it returns the output and the pipes' inodes.
func execOnPipes(t *testing.T, stdin bool, pod string, args ...string) (string, map[uint64]string) {
	t.Helper()
	inR, inW := mustPipe(t)
	outR, outW := mustPipe(t)
	errR, errW := mustPipe(t)
	inW.Close() // the command reads EOF
	a := []string{"exec", pod}
	if stdin {
		a = append(a, "-i")
	}
	cmd := exec.Command(exe, append(append(a, "--"), args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inos := map[uint64]string{inode(t, inR): "stdin", inode(t, outW): "stdout", inode(t, errW): "stderr"}
	inR.Close()
	outW.Close()
	errW.Close()
	var out, errb bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = out.ReadFrom(outR) }()
	go func() { defer wg.Done(); _, _ = errb.ReadFrom(errR) }()
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exec %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String(), inos
}

func mustPipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func inode(t *testing.T, f *os.File) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// checkStdio checks `/attack stdio` output: fds 1 and 2 are pipes, fd 0 a
// pipe with -i and /dev/null (or a pipe) without, none of them one of the
// caller's (callers), and the command leads a session of its own.
func checkStdio(t *testing.T, out string, stdin bool, callers map[uint64]string) {
	t.Helper()
	for fd := 0; fd <= 2; fd++ {
		kind := stdioKind(out, fd)
		ok := strings.HasPrefix(kind, "pipe ") || (fd == 0 && !stdin && kind == "null")
		if !ok {
			t.Errorf("fd %d of an exec'd command (-i %v) is %q, want a pipe (or /dev/null as stdin without -i)\n%s", fd, stdin, kind, out)
		}
		if ino, err := strconv.ParseUint(strings.TrimPrefix(kind, "pipe ino="), 10, 64); err == nil && callers[ino] != "" {
			t.Errorf("fd %d of an exec'd command is the caller's own %s pipe", fd, callers[ino])
		}
	}
	var pid, sid, pgid int
	for _, l := range lines(out) {
		if strings.HasPrefix(l, "pid=") {
			_, _ = fmt.Sscanf(l, "pid=%d sid=%d pgid=%d", &pid, &sid, &pgid)
		}
	}
	if pid == 0 || sid != pid {
		t.Errorf("exec'd command: pid %d, session %d: want a session of its own\n%s", pid, sid, out)
	}
}

// stdioKind is what `/attack stdio` said fd is ("pipe ino=N", "null", ...).
func stdioKind(out string, fd int) string {
	prefix := "fd" + strconv.Itoa(fd) + " "
	for _, l := range lines(out) {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSpace(strings.TrimPrefix(l, prefix))
		}
	}
	return ""
}
