package selfexe

import (
	"os"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestFitsBelow(t *testing.T) {
	for _, tc := range []struct {
		exe   string
		files int
		ok    bool
	}{
		{"/proc/self/fd/6", 6, true}, // init: stdio, status, console, gate
		{"/proc/self/fd/6", 7, false},
		{"/proc/self/fd/5", 5, true}, // pause
		{"/proc/self/fd/5", 6, false},
		{"/proc/self/exe", 50, true},
		{"/usr/local/bin/minipod-init", 50, true},
	} {
		if err := FitsBelow(tc.exe, tc.files); (err == nil) != tc.ok {
			t.Errorf("FitsBelow(%q, %d) = %v, want ok=%v", tc.exe, tc.files, err, tc.ok)
		}
	}
}

// TestOpenClearSurvivesFork: a child handed a file at 99, with free
// numbers below it, is exec'd from the program OpenClear opened. Go's
// fork moves its error pipe to 100, one above the highest file handed:
// the program at 100, where a fixed floor of 100 put it, became that pipe
// and the exec failed with EACCES.
func TestOpenClearSurvivesFork(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	const high = 99
	if _, err := unix.FcntlInt(high, unix.F_GETFD, 0); err == nil {
		t.Fatalf("fd %d is taken already", high)
	}
	if err := unix.Dup3(int(null.Fd()), high, unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(high)
	files := []uintptr{null.Fd(), os.Stderr.Fd(), os.Stderr.Fd(), high}
	exe, err := OpenClear("/bin/true", files)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(exe)
	pid, err := syscall.ForkExec("/proc/self/fd/"+strconv.Itoa(exe), []string{"true"}, &syscall.ProcAttr{Files: files})
	if err != nil {
		t.Fatalf("exec the program at fd %d: %v", exe, err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
		t.Fatalf("child: %v, status %v", err, ws)
	}
}
