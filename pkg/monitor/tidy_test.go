package monitor

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"

	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// TestTidyTrimsLast: no code of tidy runs after it dropped the binary's
// pages. Code run after the trim faults back in with a window of
// neighbours around it; when the threads were named after the trim, ~1 MB
// of the binary stayed resident in every monitor at rest.
func TestTidyTrimsLast(t *testing.T) {
	selfexe.SetName("monitor.test") // so that tidy lists and names the threads
	(&monitor{}).tidy()
	// Listing a directory is what naming the threads runs most of, and
	// nothing else here does after the trim.
	if resident(t, reflect.ValueOf((*os.File).ReadDir).Pointer()) {
		t.Error("the code that lists the threads is resident after tidy: it ran after the trim")
	}
}

// resident reports whether the page holding addr is mapped in this
// process, from /proc/self/pagemap (bit 63: present), read with raw
// system calls so that the check runs little code of its own.
func resident(t *testing.T, addr uintptr) bool {
	fd, err := unix.Open("/proc/self/pagemap", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open pagemap: %v", err)
	}
	defer unix.Close(fd)
	var entry [8]byte
	if _, err := unix.Pread(fd, entry[:], int64(addr/uintptr(unix.Getpagesize()))*8); err != nil {
		t.Fatalf("read pagemap: %v", err)
	}
	return binary.LittleEndian.Uint64(entry[:])>>63 == 1
}
