package lean

import (
	"bufio"
	"encoding/binary"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// TrimText gives back the pages of the binary's read-only mappings
// (code, read-only data) that start-up brought in, and asks the kernel
// not to map pages around each fault (MADV_RANDOM) from now on.
//
// Why: a process maps the file pages it faults in, and the kernel maps up
// to 16 neighbours with each fault ("fault-around"). minipod is one
// binary for the CLI and every role, so the initialisation of every
// package it links touches code the monitor and pause never run again:
// at rest they showed ~10 MB and ~9 MB of the binary resident each. The
// pages stay in the page cache (shared by every process of the binary);
// dropping them from this process's mappings costs only minor faults for
// what it uses again. Only read-only, private mappings of the binary are
// touched: never the writable data, whose changes MADV_DONTNEED would
// discard. A position-independent build (as some distributions make Go
// programs) has read-only data the loader wrote to before it made it
// read-only (RELRO): there only the code is trimmed.
func TrimText() { FindText().Trim() }

// Text is the binary's read-only mappings, found while /proc is there to
// read (pause trims after it left every filesystem).
type Text []mapping

type mapping struct{ start, end uintptr }

// FindText lists the read-only mappings of the running binary.
func FindText() Text {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	// Opened through the magic link: a sealed binary's path reads "/".
	codeOnly := positionIndependent("/proc/self/exe")
	var out Text
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if start, end, ok := readOnlyMapping(sc.Text(), exe, codeOnly); ok {
			out = append(out, mapping{start, end})
		}
	}
	return out
}

// positionIndependent tells whether exe is an ELF shared object (a PIE),
// from its header's type field; when it cannot tell, it says yes, the
// safe answer.
func positionIndependent(exe string) bool {
	f, err := os.Open(exe)
	if err != nil {
		return true
	}
	defer f.Close()
	var hdr [18]byte
	if n, err := f.ReadAt(hdr[:], 0); n != len(hdr) || err != nil || string(hdr[:4]) != "\x7fELF" {
		return true
	}
	const etExec = 2
	return binary.LittleEndian.Uint16(hdr[16:]) != etExec && binary.BigEndian.Uint16(hdr[16:]) != etExec
}

// Trim drops the mappings' resident pages and their fault-around.
func (t Text) Trim() {
	for _, m := range t {
		_ = madvise(m.start, m.end-m.start, unix.MADV_RANDOM)
		_ = madvise(m.start, m.end-m.start, unix.MADV_DONTNEED)
	}
}

// readOnlyMapping parses one line of /proc/self/maps and reports a
// mapping of exe without write permission (and with execute permission,
// if codeOnly).
func readOnlyMapping(line, exe string, codeOnly bool) (start, end uintptr, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") || codeOnly && !strings.Contains(fields[1], "x") {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if !found || err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

func madvise(addr, length uintptr, advice int) error {
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, length, uintptr(advice))
	if errno != 0 {
		return errno
	}
	return nil
}
