package state

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// StartTime returns field 22 of /proc/PID/stat: the process start time in
// clock ticks since boot. Together with the PID it names one process for good.
func StartTime(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read start time of %d: %w", pid, err)
	}
	return parseStartTime(pid, data)
}

// StartTimeAt reads the start time of the process whose /proc/PID
// directory dir is: a caller holding dir keeps naming that process even
// if its PID is reused meanwhile.
func StartTimeAt(dir *os.File, pid int) (uint64, error) {
	fd, err := unix.Openat(int(dir.Fd()), "stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("read start time of %d: %w", pid, err)
	}
	f := os.NewFile(uintptr(fd), "stat")
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return 0, fmt.Errorf("read start time of %d: %w", pid, err)
	}
	return parseStartTime(pid, data)
}

func parseStartTime(pid int, data []byte) (uint64, error) {
	// The command name (field 2) may hold spaces and parentheses; fields
	// after the last ')' are plain.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat: no ')'", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return 0, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(fields))
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// Identify records the identity of a live process.
func Identify(pid int) Proc {
	st, err := StartTime(pid)
	if err != nil {
		return Proc{PID: pid}
	}
	return Proc{PID: pid, Start: st}
}

// Alive reports whether p still names the same live process (a zombie counts
// as gone).
func (p Proc) Alive() bool {
	if p.PID <= 0 {
		return false
	}
	st, err := StartTime(p.PID)
	if err != nil || (p.Start != 0 && st != p.Start) {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || len(s) < i+3 || s[i+2] != 'Z'
}

// Ending reports whether p is gone or on its way out (PF_EXITING): a PID
// namespace's init stays unreaped until the kernel has killed every other
// process of its namespace, which the caller may be told of first.
// Only what /proc says counts: a read that fails for another reason (out
// of fds) is no sign of an end.
func (p Proc) Ending() bool {
	if p.PID <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH) {
		return true
	}
	if err != nil || !p.Alive() {
		return err == nil // a zombie, or another process with the PID now
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 7 {
		return false
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	const pfExiting = 0x4
	return err == nil && flags&pfExiting != 0
}

// Signal sends sig to p only if p is still the same process. The process
// is pinned by a pidfd before its identity is checked, and signalled
// through it: were it reaped between the check and a kill(2), its PID
// could name another process by then. Where no pidfd can be had but the
// process may exist (a kernel before 5.3, a seccomp filter older than
// pidfd_open, no descriptor left; older kernels' EINVAL for a PID with no
// process), the check and kill(2) do: every caller takes an error for
// "gone", so failing here would leave a live process unsignalled.
func (p Proc) Signal(sig unix.Signal) error {
	if p.PID <= 0 {
		return unix.ESRCH
	}
	fd, err := unix.PidfdOpen(p.PID, 0)
	if errors.Is(err, unix.ESRCH) {
		return unix.ESRCH
	}
	if err != nil {
		if !p.Alive() {
			return unix.ESRCH
		}
		return unix.Kill(p.PID, sig)
	}
	defer unix.Close(fd)
	if !p.Alive() {
		return unix.ESRCH
	}
	return unix.PidfdSendSignal(fd, sig, nil, 0)
}
