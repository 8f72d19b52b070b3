package monitor

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// TestTidyTrimsLast: no code of tidy runs after it dropped the binary's
// pages. Code run after the trim faults back in with a window of
// neighbours around it; when the threads were named after the trim, ~1 MB
// of the binary stayed resident in every monitor at rest. The check runs
// in a process of its own, where nothing else runs code meanwhile.
func TestTidyTrimsLast(t *testing.T) {
	if os.Getenv(tidyProbeEnv) != "" {
		fmt.Println(tidyProbe())
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTidyTrimsLast$")
	cmd.Env = append(os.Environ(), tidyProbeEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("probe: %v\n%s", err, out)
	}
	switch got := strings.TrimSpace(string(out)); got {
	case "absent":
	case "unprobed":
		t.Skip("here a bare trim leaves the probed page resident: its neighbours run")
	case "resident":
		t.Error("the code that lists the threads is resident after tidy: it ran after the trim")
	default:
		t.Fatalf("probe said %q", got)
	}
}

const tidyProbeEnv = "MINIPOD_TIDY_PROBE"

// tidyProbe says whether the code that lists a directory (what naming the
// threads runs most of, and nothing else here) is resident after tidy;
// "unprobed" if a trim alone leaves it resident.
func tidyProbe() string {
	listing := reflect.ValueOf((*os.File).ReadDir).Pointer()
	lean.TrimText()
	if resident(listing) {
		return "unprobed"
	}
	selfexe.SetName("monitor.test") // so that tidy lists and names the threads
	(&monitor{}).tidy()
	if resident(listing) {
		return "resident"
	}
	return "absent"
}

// resident reports whether the page holding addr is mapped in this
// process, from /proc/self/pagemap (bit 63: present), read with raw
// system calls so that the check runs little code of its own.
func resident(addr uintptr) bool {
	fd, err := unix.Open("/proc/self/pagemap", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	var entry [8]byte
	if _, err := unix.Pread(fd, entry[:], int64(addr/uintptr(unix.Getpagesize()))*8); err != nil {
		return true
	}
	return binary.LittleEndian.Uint64(entry[:])>>63 == 1
}
