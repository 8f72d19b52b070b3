package infra

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/pause"
	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// allowAll is a seccomp program, as the monitor encodes one, that allows
// every system call.
func allowAll() []byte {
	b := make([]byte, 4, 12)
	b = binary.LittleEndian.AppendUint16(b, unix.BPF_RET|unix.BPF_K)
	b = append(b, 0, 0)
	return binary.LittleEndian.AppendUint32(b, unix.SECCOMP_RET_ALLOW)
}

// startWithFilter starts a pause that stays, sending it prog.
func startWithFilter(t *testing.T, prog []byte) (int, *os.File, error) {
	t.Helper()
	exe, _ := os.Executable()
	p, err := Fork(exe, "filter-test", Options{SharePID: true, Filter: true})
	if err != nil {
		return 0, nil, err
	}
	if err := pause.SendFilter(p.Lifeline, prog); err != nil {
		t.Fatal(err)
	}
	return p.PID, p.Lifeline, p.Ready()
}

// TestPauseLoadsFilter: a pause handed a seccomp program puts every one of
// its threads under it; one handed nothing, or garbage, fails its start.
func TestPauseLoadsFilter(t *testing.T) {
	testutil.RequiresRoot(t)
	pid, life, err := startWithFilter(t, allowAll())
	if err != nil {
		t.Fatal(err)
	}
	defer stopPause(pid, life)
	tasks, err := os.ReadDir("/proc/" + itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		status, err := os.ReadFile("/proc/" + itoa(pid) + "/task/" + task.Name() + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if !containsLine(string(status), "Seccomp:", "2") {
			t.Errorf("pause thread %s is not under a seccomp filter", task.Name())
		}
	}
	for what, prog := range map[string][]byte{"an empty program": nil, "a short program": allowAll()[:10], "unknown flags": append([]byte{0xff, 0, 0, 0}, allowAll()[4:]...)} {
		pid, life, err := startWithFilter(t, prog)
		if pid != 0 {
			stopPause(pid, life)
		}
		if err == nil || !strings.Contains(err.Error(), "seccomp") {
			t.Errorf("pause handed %s started: %v", what, err)
		}
	}
}
